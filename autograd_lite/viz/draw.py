"""draw_graph / save_graph: the computational graph as a Graphviz picture.

The look of the picture (labels, colours, layer boxes) is in ``_picture``.
"""
from __future__ import annotations

import pathlib

import graphviz

from ._graph import Walk
from ._layout import choose_rankdir
from ._picture import FONT, Drawing, caption

INSTALL_HINT = ("Install Graphviz: sudo apt-get install graphviz (Debian/Ubuntu), "
                "brew install graphviz (macOS), conda install -c conda-forge graphviz, "
                "or see https://graphviz.org/download/")


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """The Graphviz program ``dot`` is needed to render a picture but is not installed."""

    def __init__(self, target: str):
        RuntimeError.__init__(
            self,
            f"rendering {target} needs the Graphviz program 'dot', which was not found on "
            f"PATH. {INSTALL_HINT}. Without it you can still save the DOT source, e.g. "
            "save_graph(loss, 'graph.gv').")


class GraphPicture(graphviz.Digraph):
    """A ``graphviz.Digraph`` that shows inline in Jupyter (``_repr_mimebundle_`` and
    ``_repr_svg_``); in a notebook without ``dot`` it shows how to install it."""

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return {"text/plain": str(GraphvizNotFoundError("this graph")) + "\n\n"
                    + self.source}

    def _repr_svg_(self):
        """The picture as SVG text (IPython's older display hook, nbconvert, Sphinx)."""
        try:
            return self.pipe(format="svg", encoding="utf-8")
        except graphviz.ExecutableNotFound:
            return None           # IPython then falls back to the next representation


def draw_graph(root, *, show_values=False, show_grads=False, show_backward=False,
               rankdir=None, max_nodes=120, names=None) -> "GraphPicture":
    """Draw the computational graph that produced ``root`` (a tensor, or a list of them).

    Draw *before* ``loss.backward()`` (or after ``backward(retain_graph=True)``): a plain
    backward releases the graph.  Gradients are computed here, not taken from a backward.

    Parameters
    ----------
    root : Tensor or list of Tensor
        The output(s) to draw, usually the loss.
    show_values : bool
        Show the numbers of each tensor (a short summary for more than 6 numbers).
    show_grads : bool
        Show d(root)/d(node) at every node that requires a gradient, computed with
        ``grad(..., retain_graph=True)`` so no ``.grad`` changes.  A root with several
        elements is treated as its sum.
    show_backward : bool
        Show each operation's local derivative rule (``dz = da · a(1 − a)``).
    rankdir : {None, "LR", "TB", "RL", "BT"}
        Direction of the flow.  By default it is chosen from the graph's shape: left to
        right when that fits a page column (720 pt), else top to bottom for long chains.
    max_nodes : int
        Draw at most this many nodes, those nearest the root; the rest becomes one note.
    names : dict, (name, tensor) pairs or a model, optional
        Names for tensors without ``Tensor.name``, e.g. ``model.named_parameters()``.

    Returns
    -------
    GraphPicture
        A ``graphviz.Digraph``: displays inline in Jupyter (``_repr_svg_`` gives the SVG
        text); ``.source`` is the DOT text; see :func:`save_graph`.

    Notes
    -----
    Parameters that all feed one ``name_scope`` (an nn layer) go into that layer's box.
    Nodes whose value or gradient holds NaN/inf get a red border and a warning line.  Once
    gradients are known (``show_grads=True``, or leaves whose ``.grad`` is set), each layer
    box shows the norm of its parameters' gradients and flags ``vanishing?`` (below 1e-4 of
    the largest layer) or ``exploding?`` (above 1e3).

    Examples
    --------
    >>> import autograd_lite as ag
    >>> w = ag.tensor([[0.5], [-0.5]], requires_grad=True, name="w")
    >>> x = ag.tensor([[1.0], [2.0]], name="x")
    >>> b = ag.tensor(0.1, requires_grad=True, name="b")
    >>> a = ag.sigmoid(w.T @ x + b)
    >>> a.name = "a"
    >>> g = draw_graph(a, show_grads=True, show_backward=True)
    >>> "dz = da · a(1 − a)" in g.source
    True
    >>> g.source.count("->")                 # w→transpose→matmul→add→sigmoid→a, x, b
    7
    """
    if int(max_nodes) < 1:
        raise ValueError(f"draw_graph: max_nodes must be at least 1, got {max_nodes}")
    if rankdir not in (None, "LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be None (chosen from the graph's shape), "
                         f"LR, TB, RL or BT, not {rankdir!r}")
    walk = Walk(root, names)
    drawing = Drawing(walk, int(max_nodes), show_values=show_values, show_grads=show_grads,
                       show_backward=show_backward)
    picture = GraphPicture(
        name="autograd_lite",
        graph_attr=dict(rankdir=rankdir or "LR", nodesep="0.25", ranksep="0.3",
                        bgcolor="white", fontname=FONT),
        node_attr=dict(fontname=FONT, fontsize="11"),
        edge_attr=dict(fontname=FONT, fontsize="9", arrowsize="0.7"))
    drawing.emit(picture, int(max_nodes))
    if rankdir is None:
        picture.graph_attr["rankdir"] = choose_rankdir(drawing.labels, drawing.edge_list)
    note = caption(walk, show_grads, show_values)
    if note:
        picture.attr(label=note, labelloc="b", fontsize="10")
    return picture


def save_graph(root, path, **draw_kwargs) -> pathlib.Path:
    """Draw ``root`` (or take a drawn Digraph) and write it to ``path``.

    The suffix picks the format: ``.svg``, ``.png`` and ``.pdf`` are rendered with the
    Graphviz program ``dot``; ``.gv`` / ``.dot`` write the DOT source, which needs no
    Graphviz program.

    Parameters
    ----------
    root : Tensor, list of Tensor or graphviz.Digraph
        What to draw (passed to :func:`draw_graph` with ``draw_kwargs``), or a picture.
    path : str or pathlib.Path
        The file to write; its folder is created when missing.
    **draw_kwargs
        ``show_values``, ``show_grads``, ``show_backward``, ``rankdir``, ``max_nodes``,
        ``names``, as in :func:`draw_graph`.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    GraphvizNotFoundError
        Rendering was asked for but ``dot`` is not installed (the message says how to
        install it); nothing is written.

    Examples
    --------
    >>> import os, tempfile, autograd_lite as ag
    >>> w = ag.tensor(2.0, requires_grad=True, name="w")
    >>> y = w * 3
    >>> path = save_graph(y, os.path.join(tempfile.mkdtemp(), "y.gv"))
    >>> path.read_text().startswith("digraph autograd_lite {")
    True
    """
    path = pathlib.Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png", ".pdf", ".gv", ".dot"):
        raise ValueError(f"save_graph: cannot tell the format of {str(path)!r}; end the file "
                         "name with .svg, .png, .pdf (rendered by Graphviz) or .gv (source)")
    if isinstance(root, graphviz.Digraph):
        if draw_kwargs:
            raise TypeError("save_graph: drawing options only apply to a tensor, not to an "
                            f"already drawn graph (got {', '.join(draw_kwargs)})")
        picture = root
    else:
        picture = draw_graph(root, **draw_kwargs)
    if suffix in (".gv", ".dot"):
        _make_folder(path)
        path.write_text(picture.source, encoding="utf-8")
        return path
    try:
        data = picture.pipe(format=suffix[1:])
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(str(path)) from None
    _make_folder(path)
    path.write_bytes(data)
    return path


def _make_folder(path):
    """Create the folder of ``path`` (with its parents), as ``autograd-lite graph -o`` does."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocking = [p for p in path.parents if p.exists() and not p.is_dir()]
        why = f"{blocking[0]} is a file, not a folder" if blocking else exc.strerror or exc
        raise OSError(f"save_graph: cannot create the folder {path.parent} for {path}: "
                      f"{why}") from None
