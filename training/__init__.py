"""Training the neural brush: MyPaint stroke data, then a brushstroke GAN in three stages."""
