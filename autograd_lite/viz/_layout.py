"""Which way a picture flows: left-to-right or top-to-bottom, from the graph's shape.

A long chain drawn left to right becomes a strip thousands of points wide that is unreadable
once scaled to a page; drawn top to bottom it scrolls instead.  The size of each layout is
estimated from the labels (Graphviz is not needed for that) and the direction that fits a
page column at the larger scale wins; when both fit, left to right, as the course draws.
"""
from __future__ import annotations

CHAR_WIDTH = 6.2      # points per character of an 11-pt Helvetica label (an average)
LINE_HEIGHT = 14.0    # points per label line
NODE_GAP = 18.0       # between neighbours of one rank (nodesep plus margins)
RANK_GAP = 30.0       # between ranks (ranksep plus arrow)
PAGE_WIDTH = 720.0    # points: a README column or a notebook cell at 100 %


def label_size(label: str) -> tuple:
    """(width, height) in points of a box holding a DOT label (lines joined by ``\\n``)."""
    lines = label.split("\\n")
    return (max(54.0, CHAR_WIDTH * max(len(line) for line in lines) + 16.0),
            max(36.0, LINE_HEIGHT * len(lines) + 8.0))


def ranks(nodes, edges) -> dict:
    """{node: rank}: the length of the longest path reaching it (Graphviz's layering)."""
    heads = {n: [] for n in nodes}
    waiting = dict.fromkeys(nodes, 0)
    for tail, head, _ in edges:
        heads[tail].append(head)
        waiting[head] += 1
    rank = dict.fromkeys(nodes, 0)
    ready = [n for n, k in waiting.items() if k == 0]
    while ready:
        n = ready.pop()
        for head in heads[n]:
            rank[head] = max(rank[head], rank[n] + 1)
            waiting[head] -= 1
            if not waiting[head]:
                ready.append(head)
    return rank


def extent(labels: dict, edges, rankdir: str) -> tuple:
    """Estimated (width, height) in points of the picture drawn in direction ``rankdir``."""
    rank = ranks(labels, edges)
    along, across = {}, {}          # per rank: the largest extent along the flow, the sum across
    for node, label in labels.items():
        w, h = label_size(label)
        size_along, size_across = (w, h) if rankdir == "LR" else (h, w)
        r = rank[node]
        along[r] = max(along.get(r, 0.0), size_along)
        across[r] = across.get(r, -NODE_GAP) + size_across + NODE_GAP
    edge_text = {}                  # an edge label sits between two ranks
    for _, head, text in edges:
        if text:                    # 9-pt edge labels
            size = CHAR_WIDTH * 9 / 11 * len(text) if rankdir == "LR" else LINE_HEIGHT
            edge_text[rank[head]] = max(edge_text.get(rank[head], 0.0), size)
    length = sum(along.values()) + sum(RANK_GAP + edge_text.get(r, 0.0) for r in along)
    breadth = max(across.values(), default=0.0)
    return (length, breadth) if rankdir == "LR" else (breadth, length)


def choose_rankdir(labels: dict, edges) -> str:
    """"LR" if the left-to-right picture fits a page column, else the direction that shows
    it larger when scaled to the column ("TB" for long chains)."""
    scale = {d: min(1.0, PAGE_WIDTH / extent(labels, edges, d)[0]) for d in ("LR", "TB")}
    return "LR" if scale["LR"] >= scale["TB"] else "TB"
