/** Migration 1: the VSE's first schema. Never edit once landed; add a new migration instead. */
export const sql = `
-- One-row facts about this VSE (test mode, trust-list refresh time).
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value ANY
) STRICT;

-- The terminal's P-256 key, generated inside the VSE. PKCS#8 DER; the page encryption of the
-- whole database (SQLCipher, key from the host) is what keeps it encrypted at rest.
CREATE TABLE terminal_key (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  private_key BLOB NOT NULL,
  public_key  BLOB NOT NULL CHECK (length(public_key) = 33),
  created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE trust_list (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  version      INTEGER NOT NULL,
  cose         BLOB NOT NULL,
  installed_at INTEGER NOT NULL,
  refreshed_at INTEGER NOT NULL
) STRICT;

CREATE TABLE terminal_certificate (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  terminal_id  TEXT NOT NULL,
  cose         BLOB NOT NULL,
  installed_at INTEGER NOT NULL
) STRICT;

CREATE TABLE payment_requests (
  request_id BLOB PRIMARY KEY,
  amount     INTEGER NOT NULL CHECK (amount > 0),
  currency   TEXT NOT NULL,
  created    INTEGER NOT NULL,
  expires    INTEGER NOT NULL,
  paid_by    BLOB
) STRICT, WITHOUT ROWID;

-- Accepted IOUs: the outbox too (settlement = 'PENDING' until the backend answers).
CREATE TABLE payments (
  id                INTEGER PRIMARY KEY,
  iou_id            BLOB NOT NULL UNIQUE CHECK (length(iou_id) = 32),
  reservation_id    BLOB NOT NULL,
  seq               INTEGER NOT NULL CHECK (seq >= 1),
  spent_before      INTEGER NOT NULL,
  amount            INTEGER NOT NULL CHECK (amount > 0),
  currency          TEXT NOT NULL,
  request_id        BLOB,
  accepted_at       INTEGER NOT NULL,
  channel           TEXT NOT NULL,
  bundle            BLOB NOT NULL,   -- the KP1 bundle's CBOR bytes, exactly as received
  receipt           BLOB NOT NULL,   -- the KA1 bundle's CBOR bytes, returned again for duplicates
  settlement        TEXT NOT NULL DEFAULT 'PENDING'
                    CHECK (settlement IN ('PENDING', 'SETTLED', 'ALREADY_SETTLED', 'REJECTED', 'DOUBLE_SPEND')),
  settlement_reason TEXT,
  settled_at        INTEGER,
  batch_id          BLOB REFERENCES settlement_batches (batch_id)
) STRICT;
CREATE UNIQUE INDEX payments_by_reservation_seq ON payments (reservation_id, seq);
CREATE INDEX payments_by_time ON payments (accepted_at);
CREATE INDEX payments_outbox ON payments (id) WHERE settlement = 'PENDING' AND batch_id IS NULL;
CREATE INDEX payments_by_batch ON payments (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX payments_issues ON payments (settlement) WHERE settlement IN ('REJECTED', 'DOUBLE_SPEND');

-- Kept so check 16 reads two rows instead of summing the whole store.
CREATE TABLE unsettled_totals (
  currency TEXT PRIMARY KEY,
  count    INTEGER NOT NULL,
  amount   INTEGER NOT NULL
) STRICT;

-- A second signed IOU that conflicts with a stored one (check 15): evidence, never paid.
CREATE TABLE double_spends (
  id             INTEGER PRIMARY KEY,
  iou_id         BLOB NOT NULL UNIQUE,
  conflicts_with BLOB NOT NULL,
  reservation_id BLOB NOT NULL,
  seq            INTEGER NOT NULL,
  amount         INTEGER NOT NULL,
  currency       TEXT NOT NULL,
  bundle         BLOB NOT NULL,
  detected_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE settlement_batches (
  batch_id        BLOB PRIMARY KEY CHECK (length(batch_id) = 16),
  idempotency_key TEXT NOT NULL UNIQUE,
  body            BLOB NOT NULL,
  created_at      INTEGER NOT NULL,
  answered_at     INTEGER
) STRICT;

-- Append-only, hash-chained: hash = SHA-256(CBOR [seq, at, kind, body, prev_hash]).
CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY,
  at        INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  body      BLOB NOT NULL,
  prev_hash BLOB NOT NULL,
  hash      BLOB NOT NULL
) STRICT;

-- COSE_Sign1 by the terminal key over the chain head at seq.
CREATE TABLE audit_checkpoints (
  seq  INTEGER PRIMARY KEY,
  cose BLOB NOT NULL
) STRICT;
`;
