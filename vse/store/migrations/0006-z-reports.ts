/**
 * Migration 6: numbered end-of-day (Z) reports. Never edit once landed; add a new migration
 * instead. (Migration 5 is the data-retention work on another branch; this one is numbered
 * after it so the two land in either order. See docs/reports.md.)
 *
 * A Z report closes a business day: it records, once, what the terminal took in its period and
 * how settlement stood at that moment, signed by the terminal key. The row keeps the signed
 * report exactly as made, so a reprint is the same report, byte for byte; the payments' later
 * settlement answers change the payments table, never this one.
 */
export const sql = `
CREATE TABLE z_reports (
  -- Consecutive from 1 on this terminal: the next is always max + 1, inside the closing transaction.
  number      INTEGER PRIMARY KEY CHECK (number >= 1),
  -- The business day it closes, YYYY-MM-DD in the time zone the report names; each closed once.
  day         TEXT NOT NULL UNIQUE CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  -- The payments it covers were accepted in [period_from, period_to): the periods of
  -- consecutive reports meet, so every payment is in exactly one Z report.
  period_from INTEGER NOT NULL,
  period_to   INTEGER NOT NULL CHECK (period_to > period_from),
  made_at     INTEGER NOT NULL,
  -- The audit log entry that records the closing (kind 'z-report-closed').
  audit_seq   INTEGER NOT NULL,
  -- COSE_Sign1 by the terminal key over the report's content (JSON, format kassa/z-report/1).
  signed      BLOB NOT NULL
) STRICT;
`;
