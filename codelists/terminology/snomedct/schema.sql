-- SNOMED CT store schema (schema version in snomedct/__init__.py: SCHEMA_VERSION).
-- Every SNOMED CT identifier is an INTEGER.  effective_time is an INTEGER yyyymmdd.
-- Refset member ids (UUIDs) are TEXT.

CREATE TABLE concepts (
    id INTEGER PRIMARY KEY,
    effective_time INTEGER NOT NULL,
    active INTEGER NOT NULL,
    module_id INTEGER NOT NULL,
    definition_status_id INTEGER NOT NULL
);

-- every description type (FSN 900000000000003001, synonym 900000000000013009, definition
-- 900000000000550004 from the TextDefinition file)
CREATE TABLE descriptions (
    id INTEGER PRIMARY KEY,
    effective_time INTEGER NOT NULL,
    active INTEGER NOT NULL,
    module_id INTEGER NOT NULL,
    concept_id INTEGER NOT NULL,
    language_code TEXT NOT NULL,
    type_id INTEGER NOT NULL,
    term TEXT NOT NULL,
    case_significance_id INTEGER NOT NULL
);

-- preferred term per dialect: 'en-GB' (UK clinical, UK drug, GB refsets in that order) and
-- 'en-US'; when a release has no language refset, the FSN without its semantic tag.
-- semantic_tag is taken from the active FSN.
CREATE TABLE preferred_terms (
    concept_id INTEGER NOT NULL,
    dialect TEXT NOT NULL,
    term TEXT NOT NULL,
    PRIMARY KEY (concept_id, dialect)
) WITHOUT ROWID;

CREATE TABLE semantic_tags (
    concept_id INTEGER PRIMARY KEY,
    fsn TEXT NOT NULL,
    semantic_tag TEXT NOT NULL
);

-- active inferred relationships (characteristic type 900000000000011006 and additional)
CREATE TABLE relationships (
    id INTEGER NOT NULL,
    effective_time INTEGER NOT NULL,
    module_id INTEGER NOT NULL,
    source_id INTEGER NOT NULL,
    destination_id INTEGER NOT NULL,
    relationship_group INTEGER NOT NULL,
    type_id INTEGER NOT NULL,
    characteristic_type_id INTEGER NOT NULL,
    modifier_id INTEGER NOT NULL
);

-- active concrete-value relationships; value is the raw RF2 text (#12, #1.5, "text",
-- true/false); value_number is set for numbers, value_text for strings, value_bool for booleans
CREATE TABLE concrete_values (
    id INTEGER NOT NULL,
    effective_time INTEGER NOT NULL,
    module_id INTEGER NOT NULL,
    source_id INTEGER NOT NULL,
    value TEXT NOT NULL,
    value_number REAL,
    value_text TEXT,
    value_bool INTEGER,
    relationship_group INTEGER NOT NULL,
    type_id INTEGER NOT NULL,
    characteristic_type_id INTEGER NOT NULL
);

-- transitive closure of active IS-A (116680003) relationships, without self pairs
CREATE TABLE closure (
    ancestor_id INTEGER NOT NULL,
    descendant_id INTEGER NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id)
) WITHOUT ROWID;

-- stored id sets (idsets.py), each one blob of ascending little-endian int64 SCTIDs:
-- the descendants of each concept with at least DESCENDANT_SET_MIN of them,
-- and the referenced components of each refset with at least MEMBER_SET_MIN members
CREATE TABLE descendant_sets (
    ancestor_id INTEGER PRIMARY KEY,
    size INTEGER NOT NULL,
    ids BLOB NOT NULL
);
CREATE TABLE member_sets (
    refset_id INTEGER PRIMARY KEY,
    size INTEGER NOT NULL,
    ids BLOB NOT NULL
);

-- refset members, one generic table per pattern. Columns common to all:
--   id TEXT (uuid), effective_time, active, module_id, refset_id, referenced_component_id
CREATE TABLE refset_simple (
    id TEXT NOT NULL, effective_time INTEGER NOT NULL, active INTEGER NOT NULL,
    module_id INTEGER NOT NULL, refset_id INTEGER NOT NULL,
    referenced_component_id INTEGER NOT NULL
);
CREATE TABLE refset_language (
    id TEXT NOT NULL, effective_time INTEGER NOT NULL, active INTEGER NOT NULL,
    module_id INTEGER NOT NULL, refset_id INTEGER NOT NULL,
    referenced_component_id INTEGER NOT NULL, acceptability_id INTEGER NOT NULL
);
-- association (historical) refsets: SAME AS, REPLACED BY, POSSIBLY EQUIVALENT TO, ...
CREATE TABLE refset_association (
    id TEXT NOT NULL, effective_time INTEGER NOT NULL, active INTEGER NOT NULL,
    module_id INTEGER NOT NULL, refset_id INTEGER NOT NULL,
    referenced_component_id INTEGER NOT NULL, target_component_id INTEGER NOT NULL
);
-- attribute value refsets (concept/description inactivation indicators, ...)
CREATE TABLE refset_attribute_value (
    id TEXT NOT NULL, effective_time INTEGER NOT NULL, active INTEGER NOT NULL,
    module_id INTEGER NOT NULL, refset_id INTEGER NOT NULL,
    referenced_component_id INTEGER NOT NULL, value_id INTEGER NOT NULL
);
CREATE TABLE refset_simple_map (
    id TEXT NOT NULL, effective_time INTEGER NOT NULL, active INTEGER NOT NULL,
    module_id INTEGER NOT NULL, refset_id INTEGER NOT NULL,
    referenced_component_id INTEGER NOT NULL, map_target TEXT NOT NULL
);
-- extended maps: International header ends mapCategoryId, the UK header ends mapBlock
CREATE TABLE refset_extended_map (
    id TEXT NOT NULL, effective_time INTEGER NOT NULL, active INTEGER NOT NULL,
    module_id INTEGER NOT NULL, refset_id INTEGER NOT NULL,
    referenced_component_id INTEGER NOT NULL,
    map_group INTEGER, map_priority INTEGER, map_rule TEXT, map_advice TEXT,
    map_target TEXT, correlation_id INTEGER, map_category_id INTEGER, map_block INTEGER
);
-- any other refset pattern: the extra columns as a JSON object keyed by header name
CREATE TABLE refset_other (
    id TEXT NOT NULL, effective_time INTEGER NOT NULL, active INTEGER NOT NULL,
    module_id INTEGER NOT NULL, refset_id INTEGER NOT NULL,
    referenced_component_id TEXT NOT NULL, pattern TEXT NOT NULL, fields TEXT NOT NULL
);
-- inactive members (the latest row of each member id says inactive), one table per
-- pattern with the same columns: read only by ECL member filters that ask for them
-- ({{ M active = false }}); everything else reads the active tables above
CREATE TABLE refset_simple_inactive AS SELECT * FROM refset_simple WHERE 0;
CREATE TABLE refset_language_inactive AS SELECT * FROM refset_language WHERE 0;
CREATE TABLE refset_association_inactive AS SELECT * FROM refset_association WHERE 0;
CREATE TABLE refset_attribute_value_inactive AS SELECT * FROM refset_attribute_value WHERE 0;
CREATE TABLE refset_simple_map_inactive AS SELECT * FROM refset_simple_map WHERE 0;
CREATE TABLE refset_extended_map_inactive AS SELECT * FROM refset_extended_map WHERE 0;
CREATE TABLE refset_other_inactive AS SELECT * FROM refset_other WHERE 0;
-- the Identifier file: alternate identifiers of components in other schemes (LOINC, ...),
-- the latest row per (scheme, identifier); ECL `SCHEME#code` resolves through it
CREATE TABLE identifiers (
    scheme_id INTEGER NOT NULL, alternate_identifier TEXT NOT NULL,
    effective_time INTEGER NOT NULL, active INTEGER NOT NULL, module_id INTEGER NOT NULL,
    referenced_component_id INTEGER NOT NULL,
    PRIMARY KEY (scheme_id, alternate_identifier)
) WITHOUT ROWID;
-- which table holds each refset's members, and its field names (for ECL ^ [field])
CREATE TABLE refsets (
    refset_id INTEGER PRIMARY KEY,
    member_table TEXT NOT NULL,
    fields TEXT NOT NULL,         -- JSON list of the additional field names in RF2 order
    member_count INTEGER NOT NULL
);

-- ranked search: every description in the order search shows results (descriptions of
-- active concepts first, then shorter terms first); search_fts indexes it with
-- rowid = position, so a query reads its matches best first and stops at its limit
CREATE TABLE search_terms (
    position INTEGER PRIMARY KEY,
    description_id INTEGER NOT NULL,
    concept_id INTEGER NOT NULL,
    type_id INTEGER NOT NULL,
    active INTEGER NOT NULL,      -- 1 when the description and its concept are both active
    term TEXT NOT NULL
);
-- the same terms joined by newlines, in position order, a few hundred thousand per part:
-- regular-expression search loads them in one read
CREATE TABLE search_text (
    part INTEGER PRIMARY KEY,
    first_position INTEGER NOT NULL,
    terms TEXT NOT NULL
);
CREATE VIRTUAL TABLE search_fts USING fts5(
    term, content='search_terms', content_rowid='position',
    tokenize="unicode61 remove_diacritics 2", prefix='2 3 4 5 6'
);

-- full-text index over every description term (rowid = description id), for ECL
-- description filters
CREATE VIRTUAL TABLE descriptions_fts USING fts5(
    term, content='descriptions', content_rowid='id',
    tokenize="unicode61 remove_diacritics 2", prefix='2 3 4'
);
