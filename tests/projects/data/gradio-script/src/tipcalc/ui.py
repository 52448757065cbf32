"""The Gradio front end; `tipcalc` starts it (launch() names the interface but not the port)."""

import gradio as gr


def split(bill: float, percent: float, people: int) -> str:
    share = bill * (1 + percent / 100) / max(int(people), 1)
    return f"{share:.2f} each"


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        gr.Markdown("# tipcalc: split the bill")
        bill = gr.Number(label="Bill", value=60)
        percent = gr.Slider(0, 30, value=15, label="Tip %")
        people = gr.Number(label="People", value=3, precision=0)
        out = gr.Textbox(label="Each pays")
        gr.Button("Split").click(split, [bill, percent, people], out)
    return demo


def main() -> None:
    build().launch(server_name="0.0.0.0")
