/**
 * Migration 2: what the host's PaymentService and the cash-register API need. Never edit once
 * landed; add a new migration instead.
 *
 * - A request carries the register's reference (nexo SaleTransactionID) and can be cancelled
 *   at the counter: a payment arriving for a cancelled request is refused, so a payer who
 *   paid cash after all is never charged twice.
 * - A payment keeps when its reservation ends (the wallet certificate's not_after), the
 *   deadline by which it must be settled; the host shows the earliest one.
 */
export const sql = `
ALTER TABLE payment_requests ADD COLUMN reference TEXT;
ALTER TABLE payment_requests ADD COLUMN cancelled_at INTEGER;
CREATE INDEX payment_requests_by_reference ON payment_requests (reference, created) WHERE reference IS NOT NULL;

ALTER TABLE payments ADD COLUMN reservation_not_after INTEGER;
CREATE INDEX payments_settle_by ON payments (reservation_not_after) WHERE settlement = 'PENDING';
`;
