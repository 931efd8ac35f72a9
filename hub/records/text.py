r"""Text that JSON can spell but the hub cannot hold: NUL, lone surrogates, non-characters.

JSON's ``\u`` escapes decode to any code point, including NUL (no PostgreSQL
text holds it) and lone surrogates (``"\ud800"``: Python decodes it, then no
UTF-8 encoder, the database driver's or the response renderer's, accepts it).
Unicode non-characters (U+FFFE, U+FDD0, ...) are reserved for a program's
internal use and never interchanged. The API's JSON parser and the ingest
readers refuse each as bad input, naming where it was found.
"""

import re

# NUL, lone surrogates, and the 66 non-characters (U+FDD0-U+FDEF, and U+xFFFE/U+xFFFF of every plane)
FORBIDDEN = re.compile(
    "[\x00\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]"
)


def forbidden_character(text):
    """``"U+D800"`` for the first character of ``text`` that JSON text may not carry into the hub, or None."""
    if text.isascii():  # O(1) in CPython: the common case costs nothing
        return "U+0000" if "\x00" in text else None
    found = FORBIDDEN.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def forbidden_in(value, where=""):
    """``(where, "U+....")`` for the first forbidden character in a decoded JSON value, or None.

    ``where`` grows into a path (``items[2].name``) so the error names the field.
    """
    stack = [(value, where)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            char = forbidden_character(node)
            if char:
                return path or "body", char
        elif isinstance(node, dict):
            for key, child in node.items():
                char = forbidden_character(key)
                label = f"{path}.{key}" if path else key
                if char:
                    return (path or "body") + " (a key)", char
                stack.append((child, label))
        elif isinstance(node, list):
            stack.extend((child, f"{path}[{n}]") for n, child in enumerate(node))
    return None
