-- floe source-introspection test schema, SQLite dialect. No enum types: `side` is a CHECK (... IN ...) enum;
-- no comments (SQLite has none).
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(100) NOT NULL,
  email VARCHAR(255) UNIQUE,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE instruments (
  ticker VARCHAR(12) NOT NULL,
  exchange VARCHAR(8) NOT NULL,
  PRIMARY KEY (ticker, exchange),
  CONSTRAINT instruments_ticker_format CHECK (ticker NOT GLOB '*[^A-Z]*')
);

CREATE TABLE "trade-log" (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  ticker VARCHAR(12) NOT NULL,
  exchange VARCHAR(8) NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  status TEXT NOT NULL DEFAULT 'open',
  qty INTEGER NOT NULL,
  price NUMERIC(10,2) NOT NULL,
  "Order Date" DATE NOT NULL,
  note TEXT,
  CONSTRAINT trade_log_instrument_fkey FOREIGN KEY (ticker, exchange) REFERENCES instruments (ticker, exchange) ON DELETE CASCADE ON UPDATE RESTRICT,
  CONSTRAINT trade_log_qty_positive CHECK (qty > 0),
  CONSTRAINT trade_log_price_range CHECK (price BETWEEN 0 AND 1000000),
  CONSTRAINT trade_log_status_in CHECK (status IN ('open', 'filled', 'cancelled'))
);

CREATE INDEX trade_log_open_idx ON "trade-log" (account_id) WHERE status = 'open';
CREATE INDEX trade_log_lower_ticker_idx ON "trade-log" (lower(ticker));

CREATE VIEW open_trades AS SELECT id, account_id, ticker, qty FROM "trade-log" WHERE status = 'open';
