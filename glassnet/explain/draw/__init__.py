"""Pictures as plain SVG text (no matplotlib): the network diagram
(``diagram``), the computation graph (``graph``), line charts (``charts``)
and the SVG helpers they share (``svg``)."""
