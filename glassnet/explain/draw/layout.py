"""The layout of a computation graph's SVG, on keys and edges only (no
drawing): longest-path layers from the sources on the left to the output on
the right, sources moved next to their first use, the order in each layer by
barycentre sweeps, and a waypoint in each layer a short edge crosses.

    xy, ways, right, bottom = layout(keys, edges, sizes, top, left)
"""

from collections import deque


def _adjacency(keys, edges):
    succ = {k: [] for k in keys}
    pred = {k: [] for k in keys}
    for a, b in edges:
        succ[a].append(b)
        pred[b].append(a)
    return succ, pred


def _layers(keys, edges):
    """Longest-path layer of each node (sources 0), sources then moved to one
    before their first use; iterative (Kahn's order)."""
    succ, pred = _adjacency(keys, edges)
    indeg = {k: len(pred[k]) for k in keys}
    ready = deque(k for k in keys if indeg[k] == 0)
    layer = dict.fromkeys(keys, 0)
    while ready:
        k = ready.popleft()
        for s in succ[k]:
            layer[s] = max(layer[s], layer[k] + 1)
            indeg[s] -= 1
            if indeg[s] == 0:
                ready.append(s)
    for k in keys:
        if not pred[k] and succ[k]:
            layer[k] = min(layer[s] for s in succ[k]) - 1
    return layer


def _order(keys, layer, succ, pred, sweeps=2):
    """Lists of keys per layer, ordered by barycentre sweeps (down then up)."""
    rows = [[] for _ in range(max(layer.values()) + 1)]
    for k in keys:
        rows[layer[k]].append(k)
    pos = {}

    def place(row):
        mid = (len(row) - 1) / 2
        for i, k in enumerate(row):
            pos[k] = i - mid

    for row in rows:
        place(row)
    for _ in range(sweeps):
        for rng, nbrs in ((range(len(rows)), pred), (range(len(rows) - 1, -1, -1), succ)):
            for li in rng:
                row = rows[li]
                if len(row) > 1:
                    rows[li] = row = _sorted(row, pos, nbrs, pred, succ)
                    place(row)
    return rows


def _sorted(row, pos, nbrs, pred, succ):
    """``row`` by the mean position of each node's neighbours (``nbrs``); among
    equal means, nodes on a through path (with both inputs and uses) go to the
    middle and leaves around them, so a main chain stays straight."""

    def key(k):
        return sum(pos[n] for n in nbrs[k]) / len(nbrs[k]) if nbrs[k] else pos[k]

    out, group = [], []
    for k in sorted(row, key=key) + [None]:
        if group and (k is None or key(k) != key(group[0])):
            group.sort(key=lambda g: not (pred[g] and succ[g]))
            centred = deque()
            for i, g in enumerate(group):
                centred.appendleft(g) if i % 2 else centred.append(g)
            out.extend(centred)
            group = []
        group.append(k)
    return out


MAX_DETOUR = 8


def layout(keys, edges, size, top, left, gap_x=56, gap_y=18):
    """Place the nodes: ({key: (x, y, w, h)}, [waypoints of each edge or None],
    width, height). An edge spanning up to MAX_DETOUR layers gets a waypoint in
    each layer it crosses, ordered with the nodes, so it runs between boxes;
    a longer one (None) is drawn as a direct dashed curve, which keeps the
    layout linear in the graph's size."""
    layer = _layers(keys, [(a, b) for a, b, _ in edges])
    size, nodes, links, routes = dict(size), list(keys), [], []
    for n, (a, b, _) in enumerate(edges):
        if layer[b] - layer[a] - 1 > MAX_DETOUR:
            links.append((a, b))
            routes.append(None)
            continue
        chain = [a] + [("d", n, li) for li in range(layer[a] + 1, layer[b])] + [b]
        for d in chain[1:-1]:
            layer[d], size[d] = d[2], (0, 6)
            nodes.append(d)
        links += zip(chain, chain[1:])
        routes.append(chain[1:-1])
    succ, pred = _adjacency(nodes, links)
    rows = _order(nodes, layer, succ, pred)
    col_w = [max(size[k][0] for k in row) for row in rows]
    col_h = [sum(size[k][1] for k in row) + gap_y * (len(row) - 1) for row in rows]
    inner_h = max(col_h)
    xy, x = {}, left
    for row, cw, ch in zip(rows, col_w, col_h):
        y = top + (inner_h - ch) / 2
        for k in row:
            w, h = size[k]
            xy[k] = (x, y, cw, h) if k[0] == "d" else (x + (cw - w) / 2, y, w, h)
            y += h + gap_y
        x += cw + gap_x
    ways = [
        None if r is None else [(xy[d][0], xy[d][1] + 3, xy[d][0] + xy[d][2]) for d in r]
        for r in routes
    ]
    return xy, ways, x - gap_x, top + inner_h
