"""Pictures as plain SVG text (no matplotlib): the network diagram
(``diagram``, its numbers from ``network``), the computation graph
(``graph``, laid out by ``layout``), line charts (``charts``) and the SVG
helpers they share (``svg``)."""
