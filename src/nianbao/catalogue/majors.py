"""The catalogue of majors (专业目录) of every version in majors.yaml: categories by code and
name, and the majors each version lists."""

from __future__ import annotations


class MajorCatalogue:
    """Lookup of categories and listed majors over every version of majors.yaml."""

    def __init__(self, data: dict):
        self.versions = data.get("versions") or {}
        self.default = str(data.get("default", ""))
        self.category_version: dict[str, str] = {}
        self.category_by_name: dict[str, str] = {}
        self.listed: dict[str, set[str]] = {}
        for ver, v in self.versions.items():
            for code, c in (v.get("categories") or {}).items():
                self.category_version[str(code)] = str(ver)
                self.category_by_name[c["zh"]] = str(code)
            for cat, names in (v.get("majors") or {}).items():
                self.listed[str(cat)] = set(names or [])

    def category(self, text: str) -> str | None:
        text = text.strip()
        if text in self.category_version:
            return text
        if text.isdigit() and len(text) == 1 and "0" + text in self.category_version:
            return "0" + text  # "9" written for "09" (a spreadsheet dropped the zero)
        return self.category_by_name.get(text)

    def label(self, category: str) -> str:
        ver = self.category_version.get(category)
        return self.versions[ver]["categories"][category]["zh"] if ver else category

    def is_listed(self, category: str, name: str) -> bool | None:
        """True/False where the version lists its majors, None where it does not."""
        ver = self.category_version.get(category)
        if ver is None or (self.versions[ver].get("majors_listed") or "none") == "none":
            return None
        return name in self.listed.get(category, set())
