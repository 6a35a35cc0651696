"""Parsing SVG in tests: valid XML with a sized <svg> root, elements by class."""

import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    for a in ("width", "height", "viewBox"):
        assert root.get(a)
    return root


def by_class(root, cls):
    return [e for e in root.iter() if e.get("class") == cls]
