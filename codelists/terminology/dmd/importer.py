"""Import the NHSBSA dm+d XML release (VTM, VMP, AMP, VMPP, AMPP, ingredients, lookups).

See README.md beside this file for the layout.  Products become codes with the
hierarchy VTM -> VMP -> AMP, VMP -> VMPP -> AMPP and AMP -> AMPP; every other field
becomes an attribute, coded fields decoded through the lookup file.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from pathlib import Path

from codelists.errors import ImportFailedError
from codelists.terminology.codesystem_writer import (
    CodeSystemWriter,
    ReleaseFiles,
    build_release_store,
    trud_release,
)

SYSTEM = "dmd"

#: file prefix -> (product element, id field, kind, parent id fields, synonym fields)
PRODUCTS = {
    "f_vtm2": ("VTM", "VTMID", "VTM", (), ("ABBREVNM",)),
    "f_vmp2": ("VMP", "VPID", "VMP", ("VTMID",), ("ABBREVNM",)),
    "f_amp2": ("AMP", "APID", "AMP", ("VPID",), ("ABBREVNM", "DESC")),
    "f_vmpp2": ("VMPP", "VPPID", "VMPP", ("VPID",), ("ABBREVNM",)),
    "f_ampp2": ("AMPP", "APPID", "AMPP", ("VPPID", "APID"), ("ABBREVNM",)),
    "f_ingredient2": ("ING", "ISID", "ingredient", (), ()),
}
PREVIOUS_ID = {"VTMID": "VTMIDPREV", "VPID": "VPIDPREV", "ISID": "ISIDPREV"}
PREVIOUS_NAME = ("NMPREV", "NM_PREV")

#: coded field -> lookup table (section-specific entries first)
LOOKUPS = {
    ("ONT", "FORMCD"): "ONT_FORM_ROUTE", ("DFORM", "FORMCD"): "FORM",
    "BASISCD": "BASIS_OF_NAME", "BASIS_PREVCD": "BASIS_OF_NAME",
    "NMCHANGECD": "NAMECHANGE_REASON", "PRES_STATCD": "VIRTUAL_PRODUCT_PRES_STATUS",
    "DF_INDCD": "DF_INDICATOR", "UDFS_UOMCD": "UNIT_OF_MEASURE",
    "UNIT_DOSE_UOMCD": "UNIT_OF_MEASURE", "QTY_UOMCD": "UNIT_OF_MEASURE",
    "STRNT_NMRTR_UOMCD": "UNIT_OF_MEASURE", "STRNT_DNMTR_UOMCD": "UNIT_OF_MEASURE",
    "SUPPCD": "SUPPLIER", "LIC_AUTHCD": "LICENSING_AUTHORITY",
    "LIC_AUTH_PREVCD": "LICENSING_AUTHORITY", "LIC_AUTHCHANGECD": "LICENSING_AUTHORITY_CHANGE_REASON",
    "AVAIL_RESTRICTCD": "AVAILABILITY_RESTRICTION", "LEGAL_CATCD": "LEGAL_CATEGORY",
    "NON_AVAILCD": "VIRTUAL_PRODUCT_NON_AVAIL", "COMBPRODCD": "COMBINATION_PROD_IND",
    "COMBPACKCD": "COMBINATION_PACK_IND", "ROUTECD": "ROUTE", "CATCD": "CONTROL_DRUG_CATEGORY",
    "CAT_PREVCD": "CONTROL_DRUG_CATEGORY", "PAY_CATCD": "DT_PAYMENT_CATEGORY",
    "PRICE_BASISCD": "PRICE_BASIS", "SPEC_CONTCD": "SPEC_CONT", "DND": "DND",
    "BASIS_STRNTCD": "BASIS_OF_STRNTH", "FLAVOURCD": "FLAVOUR", "COLOURCD": "COLOUR",
    "DISCCD": "DISCONTINUED_IND", "REIMB_STATCD": "REIMBURSEMENT_STATUS",
    "ISID": "_ingredient", "BS_SUBID": "_ingredient", "DDD_UOMCD": "UNIT_OF_MEASURE",
}
SKIPPED_SECTIONS = {"COMB_CONTENT"}


def _text(node: ET.Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def read_lookups(root: ET.Element) -> dict[str, dict[str, str]]:
    tables: dict[str, dict[str, str]] = {}
    for table in root:
        entries = tables.setdefault(table.tag, {})
        for info in table.findall("INFO"):
            entries[_text(info.find("CD"))] = _text(info.find("DESC"))
    return tables


class DmdReader:
    def __init__(self, writer: CodeSystemWriter, lookups: dict[str, dict[str, str]]):
        self.w = writer
        self.lookups = lookups
        self.ingredients: dict[str, str] = {}

    def decode(self, section: str, tag: str, value: str) -> tuple[str, str | None]:
        table = LOOKUPS.get((section, tag)) or LOOKUPS.get(tag)
        if table == "_ingredient":
            return self.ingredients.get(value, value), value
        if table:
            return self.lookups.get(table, {}).get(value, value), value
        return value, None

    def products(self, root: ET.Element, prefix: str) -> None:
        element, id_field, kind, parents, synonyms = PRODUCTS[prefix]
        for product in root.iter(element):
            code = _text(product.find(id_field))
            if not code:
                continue
            name = _text(product.find("NM"))
            self.w.add_code(code, name or code, kind=kind,
                            active=_text(product.find("INVALID")) != "1")
            if kind == "ingredient":
                self.ingredients[code] = name
            for field in synonyms:
                value = _text(product.find(field))
                if value and value != name:
                    self.w.add_description(code, value, field.lower())
            for field in PREVIOUS_NAME:
                if _text(product.find(field)):
                    self.w.add_description(code, _text(product.find(field)), "previous name",
                                           active=False)
            previous = PREVIOUS_ID.get(id_field)
            if previous and _text(product.find(previous)):
                self.w.add_alias(_text(product.find(previous)), code,
                                 f"previous id ({previous})")
            for parent in parents:
                if _text(product.find(parent)):
                    self.w.add_edge(_text(product.find(parent)), code)
            for child in product:
                if child.tag not in ("NM", id_field, "INVALID", *parents) and _text(child):
                    value, value_code = self.decode(element, child.tag, _text(child))
                    self.w.add_attribute(code, child.tag.lower(), value, value_code)

    def sections(self, root: ET.Element, prefix: str) -> None:
        """Second-level lists keyed by the product id (ingredients, forms, prices ...)."""
        id_field = PRODUCTS[prefix][1]
        element = PRODUCTS[prefix][0]
        rows = (r for s in root if s.tag not in SKIPPED_SECTIONS for r in s)
        for group, row in enumerate(rows):
            if row.tag == element or row.find(id_field) is None:
                continue
            code = _text(row.find(id_field))
            for field in row:
                if field.tag != id_field and _text(field):
                    value, value_code = self.decode(row.tag, field.tag, _text(field))
                    self.w.add_attribute(code, f"{row.tag.lower()}.{field.tag.lower()}",
                                         value, value_code, group=group + 1)

    def bnf(self, root: ET.Element, origin: str) -> None:
        """The bonus file ``f_bnf1_*.xml``: BNF and ATC codes of VMPs and AMPs."""
        for product in root.iter():
            code = _text(product.find("VPID")) or _text(product.find("APID"))
            if not code or product.tag not in ("VMP", "AMP"):
                continue
            if _text(product.find("BNF")):
                self.w.add_map(code, "bnf", _text(product.find("BNF")), origin=origin)
            for field in ("ATC", "DDD", "DDD_UOMCD"):
                if _text(product.find(field)):
                    value, value_code = self.decode(product.tag, field, _text(product.find(field)))
                    self.w.add_attribute(code, field.lower(), value, value_code)

    def gtins(self, root: ET.Element) -> None:
        for ampp in root.iter("AMPP"):
            code = _text(ampp.find("AMPPID"))
            for data in ampp.findall("GTINDATA"):
                self.w.add_attribute(code, "gtin", _text(data.find("GTIN")))


def _files_of(files: ReleaseFiles, prefix: str, *, required: bool = True) -> list[str]:
    """The files of one kind in a release, byte-identical copies counted once (the
    OpenCodelists fixture 1.1.0 carries its lookup file twice)."""
    matches = sorted(files.find_all(rf"^{prefix}_.*\.xml$"))
    if not matches and required:
        raise ImportFailedError(f"no {prefix}_*.xml file", path=files.path,
                                hint="pass the nhsbsa_dmd_*.zip release as published")
    if len(matches) < 2:
        return matches
    distinct: dict[str, str] = {}
    for name in matches:
        distinct.setdefault(hashlib.sha256(files.read(name)).hexdigest(), name)
    return list(distinct.values())


def _one(files: ReleaseFiles, prefix: str, *, required: bool = True) -> str | None:
    """The one file of a kind whose rows cannot be merged from several files."""
    names = _files_of(files, prefix, required=required)
    if len(names) > 1:
        raise ImportFailedError(
            f"{len(names)} different {prefix} files: {', '.join(names)}", path=files.path,
            hint="a dm+d release has one file of each kind (copies of the same file are "
                 "read once); keep one release's files per folder or zip")
    return names[0] if names else None


def _lookups(files: ReleaseFiles) -> dict[str, dict[str, str]]:
    """The lookup tables of every lookup file, merged: tables are reference lists, so
    files that agree add up; a code described two ways is refused, naming both files."""
    merged: dict[str, dict[str, str]] = {}
    origin: dict[tuple[str, str], str] = {}
    for name in _files_of(files, "f_lookup2"):
        for table, entries in read_lookups(_parse(files, name)).items():
            into = merged.setdefault(table, {})
            for code, desc in entries.items():
                if code in into and into[code] != desc:
                    raise ImportFailedError(
                        f"lookup {table} code {code} is {into[code]!r} in "
                        f"{files.basename(origin[table, code])} but {desc!r} in "
                        f"{files.basename(name)}", path=files.label(name),
                        hint="the lookup files come from different releases: keep the "
                             "one of the release being imported")
                into.setdefault(code, desc)
                origin.setdefault((table, code), name)
    return merged


def _parse(files: ReleaseFiles, name: str) -> ET.Element:
    try:
        return ET.fromstring(files.read(name))
    except ET.ParseError as exc:
        raise ImportFailedError(f"not well-formed XML: {exc}", path=files.label(name),
                                line=exc.position[0] if exc.position else None) from exc


def write_release(files: ReleaseFiles, writer: CodeSystemWriter) -> None:
    reader = DmdReader(writer, _lookups(files))
    order = ["f_ingredient2", "f_vtm2", "f_vmp2", "f_amp2", "f_vmpp2", "f_ampp2"]
    for prefix in order:
        root = _parse(files, _one(files, prefix))
        reader.products(root, prefix)
        reader.sections(root, prefix)
    bnf = _one(files, "f_bnf1", required=False)
    if bnf:
        reader.bnf(_parse(files, bnf), files.basename(bnf))
    gtin = _one(files, "f_gtin2", required=False)
    if gtin:
        reader.gtins(_parse(files, gtin))


def import_release(path: str | Path, destination: str | Path | None = None,
                   progress=None, **options) -> Path:
    """Import an NHSBSA dm+d release zip or folder (optionally with a BNF map beside it)."""
    from codelists.terminology.bnf.importer import read_bnf_snomed_map

    path = Path(path)
    files = ReleaseFiles(path)
    try:
        def populate(writer):
            write_release(files, writer)
            read_bnf_snomed_map(files, writer, source="dmd")
            return trud_release(path, "dm+d")

        return build_release_store(SYSTEM, path, destination, populate, progress)
    finally:
        files.close()


def looks_like_release(path: Path) -> bool:
    """True for a folder or zip holding the dm+d f_vmp2 file."""
    return ReleaseFiles.probe(path, lambda files: files.find(r"^f_vmp2_.*\.xml$"))
