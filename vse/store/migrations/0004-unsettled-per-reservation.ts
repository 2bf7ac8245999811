/**
 * Migration 4: each reservation's unsettled total, kept, so check 16 reads one row instead of
 * summing every stored payment of the reservation (settled ones included: the index it used
 * has no settlement state), which grew with every payment the reservation made here. Filled
 * from the payments already stored. Never edit once landed; add a new migration instead.
 */
export const sql = `
-- The sum of the PENDING payments of each reservation (a reservation with none left has no row).
CREATE TABLE unsettled_by_reservation (
  reservation_id BLOB PRIMARY KEY,
  amount         INTEGER NOT NULL CHECK (amount >= 0)
) STRICT, WITHOUT ROWID;

INSERT INTO unsettled_by_reservation (reservation_id, amount)
  SELECT reservation_id, sum(amount) FROM payments WHERE settlement = 'PENDING' GROUP BY reservation_id;
`;
