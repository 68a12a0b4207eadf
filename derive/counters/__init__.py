"""`--flops-as TOOL`: the figure a FLOP-counting tool prints for the same network, as a formula and a number.

derive's own `total.macs` counts the multiply-accumulates of convolutions and dense layers (and attention's
projections; `attention_macs` apart). The tools people run print other figures under the same names:

* `fvcore` (0.1.5): `FlopCountAnalysis(model, x).total()`, one fused multiply-add one flop, over the
  operators it has handles for (fvcore.py);
* `ptflops` (0.7.5): `get_model_complexity_info(model, shape)`, its default `pytorch` backend: module hooks
  plus patched `torch.nn.functional` calls (ptflops.py);
* `thop` (0.1.1): `profile(model, inputs=(x,))`, module hooks only (thop.py);
* `torchinfo` (1.8.0): `summary(model, input_size=...)`'s "Total mult-adds" (torchinfo.py);
* `2mac`: two flops per multiply-accumulate, what papers call FLOPs (`twomac.py`).

Each tool module is a table from layer kind (`Layer.op`) to a rule: the tool's count for one derivation
row (its input and output shapes, its terms, its MACs), and the topic the count belongs to, which the
text (templates/explain/flops_<tool>.md.j2) speaks of only when the block has it. A kind the tool counts
as nothing is a rule giving 0 with its topic, so that the text can say what is left out; a kind whose
count derive does not model is refused (`InputError`), never guessed.

How the reference implementation calls a layer (a module, a `torch.nn.functional` call, or a function it
holds) changes what ptflops and thop see: forms.py.
"""

TOOLS = ("fvcore", "ptflops", "thop", "torchinfo", "2mac")  # --flops-as (the command line reads them here: no sympy)
NAMES = {"fvcore": "fvcore", "ptflops": "ptflops", "thop": "thop", "torchinfo": "torchinfo", "2mac": "2 × MACs"}
