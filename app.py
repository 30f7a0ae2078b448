"""Neural Painter on a Hugging Face Space (placeholder until the painter lands: see the README)."""

import gradio as gr

with gr.Blocks(title="Neural Painter") as demo:
    gr.Markdown("# Neural Painter\nA photo becomes a painting made of brushstrokes. "
                "The painter is being built; this page will paint soon.")

if __name__ == "__main__":
    demo.launch()
