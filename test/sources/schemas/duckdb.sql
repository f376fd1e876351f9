-- floe source-introspection test schema, DuckDB dialect.
-- Skipped here: ON DELETE CASCADE (DuckDB rejects FK actions), partial indexes (not supported), identity columns
-- (a sequence default instead); DuckDB does not keep CHECK constraint names.
CREATE TYPE side_t AS ENUM ('buy', 'sell');
CREATE SEQUENCE accounts_id_seq;
CREATE SEQUENCE trade_log_id_seq;

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY DEFAULT nextval('accounts_id_seq'),
  name VARCHAR(100) NOT NULL,
  email VARCHAR(255) UNIQUE,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT current_timestamp
);
COMMENT ON TABLE accounts IS 'Trading accounts';
COMMENT ON COLUMN accounts.name IS 'Display name';

CREATE TABLE instruments (
  ticker VARCHAR(12) NOT NULL,
  exchange VARCHAR(8) NOT NULL,
  PRIMARY KEY (ticker, exchange),
  CONSTRAINT instruments_ticker_format CHECK (regexp_full_match(ticker, '[A-Z]+'))
);

CREATE TABLE "trade-log" (
  id BIGINT PRIMARY KEY DEFAULT nextval('trade_log_id_seq'),
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  ticker VARCHAR(12) NOT NULL,
  exchange VARCHAR(8) NOT NULL,
  side side_t NOT NULL,
  status VARCHAR NOT NULL DEFAULT 'open',
  qty INTEGER NOT NULL,
  price DECIMAL(10,2) NOT NULL,
  "Order Date" DATE NOT NULL,
  note VARCHAR,
  CONSTRAINT trade_log_instrument_fkey FOREIGN KEY (ticker, exchange) REFERENCES instruments (ticker, exchange),
  CONSTRAINT trade_log_qty_positive CHECK (qty > 0),
  CONSTRAINT trade_log_price_range CHECK (price BETWEEN 0 AND 1000000),
  CONSTRAINT trade_log_status_in CHECK (status IN ('open', 'filled', 'cancelled'))
);
COMMENT ON COLUMN "trade-log"."Order Date" IS 'Trade date';

CREATE INDEX trade_log_lower_ticker_idx ON "trade-log" (lower(ticker));

CREATE VIEW open_trades AS SELECT id, account_id, ticker, qty FROM "trade-log" WHERE status = 'open';
