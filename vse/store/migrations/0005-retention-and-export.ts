/**
 * Migration 5: retention (settled payments and old payment requests purged, the audit chain
 * intact) and the terminal export (payments re-verifiable by a third party). Never edit once
 * landed; add a new migration instead.
 *
 * - A paid request's reference (a cash register's sale id) is copied onto its payment when
 *   retention purges the request, so the payment keeps it for as long as it is kept itself.
 * - Settled payments and requests get the indexes retention's queries walk.
 * - Every trust list whose keys differ from the one before is kept: a wallet certificate is
 *   proven by the issuer key that signed it, and an export of a year of payments must carry
 *   the keys of that year, not only today's. Revocation-only updates (the frequent kind) add
 *   nothing. The list installed now seeds it.
 */
export const sql = `
ALTER TABLE payments ADD COLUMN request_reference TEXT;
CREATE INDEX payments_settled_at ON payments (settled_at) WHERE settlement IN ('SETTLED', 'ALREADY_SETTLED');
CREATE INDEX payment_requests_by_expiry ON payment_requests (expires);

CREATE TABLE trust_list_history (
  version      INTEGER PRIMARY KEY,
  cose         BLOB NOT NULL,
  keys_digest  BLOB NOT NULL CHECK (length(keys_digest) = 32),
  installed_at INTEGER NOT NULL
) STRICT;
`;
