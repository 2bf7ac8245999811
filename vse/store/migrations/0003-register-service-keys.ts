/**
 * Migration 3: a cash register (ECR) finds its requests again by the key of the message that
 * opened them (nexo SaleID and ServiceID, scoped to the register's credential), also after the
 * host restarted. Never edit once landed; add a new migration instead.
 */
export const sql = `
ALTER TABLE payment_requests ADD COLUMN service_key TEXT;
CREATE INDEX payment_requests_by_service_key ON payment_requests (service_key, created) WHERE service_key IS NOT NULL;
`;
