package queries

// SQLMacros are DuckDB statements that define the helper macros the library's
// sql templates use. The local provider runs them on every connection.
//
//   - host_match(col, h): col equals h ignoring case, or one is the other's
//     short name (col starts with h||'.' or h starts with col||'.'), so a
//     short host name matches its FQDN and back. NULL col → false.
//   - icontains(col, s): col contains s ignoring case. NULL col → false.
//   - iequals(col, s): col equals s ignoring case. NULL col → false.
const SQLMacros = `CREATE OR REPLACE TEMP MACRO host_match(col, h) AS
  coalesce(lower(col) = lower(h)
    OR starts_with(lower(col), lower(h) || '.')
    OR starts_with(lower(h), lower(col) || '.'), false);
CREATE OR REPLACE TEMP MACRO icontains(col, s) AS coalesce(contains(lower(col), lower(s)), false);
CREATE OR REPLACE TEMP MACRO iequals(col, s) AS coalesce(lower(col) = lower(s), false);
`
