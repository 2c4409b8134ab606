-- svp--1.0.sql - the SQL face of the svp extension (postgres/svp_pg.c).
\echo Use "CREATE EXTENSION svp" to load this file. \quit

-- One diagnostic of svp_check, as `svp check` prints it.
CREATE TYPE svp_diagnostic AS (
    severity text,      -- 'error', 'warning' or 'note'
    code     text,      -- a short stable code: 'syntax', 'unknown-name', ...
    line     integer,   -- 1-based; 0 when the diagnostic has no place
    "column" integer,   -- 1-based, in characters
    message  text       -- one line
);

-- The result of evaluating record under policy, exactly as `svp eval
-- --format json` gives it (as jsonb: keys in jsonb's order).  An invalid
-- record is a result with "error"; a policy that does not compile is an
-- SQL error carrying its diagnostics.
CREATE FUNCTION svp_eval(policy text, record jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'svp_pg_eval'
    LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

-- The same result as text: the very bytes `svp eval` writes for the
-- record's text (keys in svp's order, no newline).
CREATE FUNCTION svp_eval_text(policy text, record jsonb) RETURNS text
    AS 'MODULE_PATHNAME', 'svp_pg_eval_text'
    LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

-- True when the record is compliant; false when it is non-compliant or
-- invalid.
CREATE FUNCTION svp_compliant(policy text, record jsonb) RETURNS boolean
    AS 'MODULE_PATHNAME', 'svp_pg_compliant'
    LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

-- Every diagnostic of the policy, warnings included; no rows when clean.
-- Never an error for a broken policy: that is what it reports.
CREATE FUNCTION svp_check(policy text) RETURNS SETOF svp_diagnostic
    AS 'MODULE_PATHNAME', 'svp_pg_check'
    LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE ROWS 10;

-- The same three for a record given as text: read exactly as written, as
-- `svp eval` reads a line, so a key given twice is refused (a jsonb keeps
-- only the last of two equal keys, so the check cannot see one there) and
-- text that is not JSON is an invalid result, not an error.  A quoted
-- literal ('{"id": ...}') resolves to these.
CREATE FUNCTION svp_eval(policy text, record text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'svp_pg_eval_raw'
    LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION svp_eval_text(policy text, record text) RETURNS text
    AS 'MODULE_PATHNAME', 'svp_pg_eval_text_raw'
    LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION svp_compliant(policy text, record text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'svp_pg_compliant_raw'
    LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
