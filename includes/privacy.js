/**
 * Erasure in the models (docs/privacy.md). Every staging model reads its raw table through
 * `privacy.kept(ref("<raw table>"), ref("erased_records"))`: the raw rows minus the records an
 * erasure removed (privacy.erased_records, hashes of <source>/<stream>/<_record_id>). The erase
 * function deletes those rows from raw and rewrites the lake; this is what keeps them out when a
 * raw table is restored from a snapshot or time travel, or an old lake object is loaded again.
 * test/unit/privacy/declarations.test.ts fails for a model that reads raw any other way.
 */
function kept(rawTable, erasedRecords) {
  const recordHash = dialect.sha256Hex("CONCAT(_source, '/', _stream, '/', _record_id)");
  return `(SELECT * FROM ${rawTable} WHERE ${recordHash} NOT IN (SELECT record_hash FROM ${erasedRecords}))`;
}

module.exports = { kept };
