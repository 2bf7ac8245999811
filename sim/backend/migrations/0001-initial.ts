/**
 * Backend migration 1: the scheme, accounts, terminals, reservations, IOUs, evidence, ledger,
 * idempotency. Never edit once landed; add a new migration instead.
 */
export const sql = `
  CREATE TABLE scheme (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    root BLOB NOT NULL,
    wallet_issuer BLOB NOT NULL,
    terminal_issuer BLOB NOT NULL,
    options TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    balance INTEGER NOT NULL CHECK (balance >= 0),
    held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE merchant_balances (
    merchant_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    balance INTEGER NOT NULL CHECK (balance >= 0),
    PRIMARY KEY (merchant_id, currency)
  ) STRICT;

  CREATE TABLE enrollment_tokens (
    token_hash BLOB PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    merchant_name TEXT NOT NULL,
    terminal_id TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    used_by TEXT
  ) STRICT;

  CREATE TABLE terminals (
    terminal_id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    merchant_name TEXT NOT NULL,
    terminal_key BLOB NOT NULL UNIQUE,
    certificate BLOB NOT NULL,
    token_hash BLOB NOT NULL,
    enrolled_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE reservations (
    reservation_id BLOB PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    wallet_key BLOB NOT NULL UNIQUE,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    settled INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL,
    not_after INTEGER NOT NULL,
    settle_until INTEGER NOT NULL,
    certificate BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    released INTEGER,
    released_at INTEGER,
    CHECK (settled >= 0 AND settled <= amount),
    CHECK (released IS NULL OR settled + released = amount)
  ) STRICT;
  CREATE INDEX reservations_unreleased ON reservations (settle_until) WHERE released_at IS NULL;

  -- Every IOU that passed verification for its payee, paid or not: the evidence.
  CREATE TABLE ious (
    iou_id BLOB PRIMARY KEY,
    reservation_id BLOB NOT NULL REFERENCES reservations (reservation_id),
    seq INTEGER NOT NULL,
    spent_before INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    created INTEGER NOT NULL,
    terminal_id TEXT NOT NULL REFERENCES terminals (terminal_id),
    bundle BLOB NOT NULL,
    batch_id BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    status INTEGER NOT NULL CHECK (status IN (1, 3, 4)),
    reason TEXT,
    paid INTEGER NOT NULL CHECK (paid IN (0, 1))
  ) STRICT;
  CREATE INDEX ious_by_seq ON ious (reservation_id, seq);
  CREATE INDEX ious_by_end ON ious (reservation_id, spent_before + amount);
  CREATE INDEX ious_by_terminal ON ious (terminal_id);

  -- Pairs of IOUs of one reservation that contradict each other (OIP/1 §5 double spends).
  CREATE TABLE conflicts (
    iou_id BLOB NOT NULL REFERENCES ious (iou_id),
    other_iou_id BLOB NOT NULL REFERENCES ious (iou_id),
    reservation_id BLOB NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('SEQ_REUSED', 'SPENT_BEFORE_CONTRADICTS')),
    detected_at INTEGER NOT NULL,
    PRIMARY KEY (iou_id, other_iou_id)
  ) STRICT;
  CREATE INDEX conflicts_by_reservation ON conflicts (reservation_id);

  -- Every movement of money. The partial unique index is the database's own guarantee that
  -- an IOU is paid at most once, whatever the code above it does.
  CREATE TABLE ledger (
    entry_id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('deposit', 'hold', 'settle', 'release')),
    account_id TEXT,
    merchant_id TEXT,
    reservation_id BLOB,
    iou_id BLOB,
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL
  ) STRICT;
  CREATE UNIQUE INDEX ledger_settles_once ON ledger (iou_id) WHERE kind = 'settle';

  -- Answered settlement POSTs by Idempotency-Key, stored in the transaction that moved the money.
  CREATE TABLE settlement_requests (
    idempotency_key TEXT PRIMARY KEY,
    body_hash BLOB NOT NULL,
    terminal_id TEXT NOT NULL,
    batch_id BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    answer BLOB NOT NULL
  ) STRICT;

  CREATE TABLE trust_lists (
    version INTEGER PRIMARY KEY,
    issued_at INTEGER NOT NULL,
    next_update INTEGER NOT NULL,
    revoked TEXT NOT NULL,
    bytes BLOB NOT NULL
  ) STRICT;
  `;
