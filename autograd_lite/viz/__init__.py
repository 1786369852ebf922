"""Pictures and traces of the computational graph, for learning how backprop works.

- :func:`draw_graph` / :func:`save_graph`: the graph as a Graphviz picture (SVG, PNG, PDF
  with the ``dot`` program; ``.gv`` source without it).
- :func:`trace_backward`: the chain-rule steps of a backward pass, as text or an HTML table.
- :func:`gradient_norms`: gradient norms per layer, to spot vanishing or exploding gradients.

All of them leave the graph usable and the parameters' ``.grad`` untouched.
"""
from .draw import GraphvizNotFoundError, draw_graph, save_graph
from .health import gradient_norms
from .trace import BackwardTrace, trace_backward

__all__ = ["draw_graph", "save_graph", "trace_backward", "gradient_norms", "BackwardTrace",
           "GraphvizNotFoundError"]
