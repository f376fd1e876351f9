-- floe source-introspection test schema, MySQL / MariaDB dialect.
-- Skipped here: partial indexes (MySQL and MariaDB have none); expression indexes (MariaDB has none, so the
-- lower(ticker) index is on a generated column instead). MySQL's enum is a column type, not a named type.
CREATE TABLE accounts (
  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name varchar(100) NOT NULL COMMENT 'Display name',
  email varchar(255) UNIQUE,
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB COMMENT='Trading accounts';

CREATE TABLE instruments (
  ticker varchar(12) NOT NULL,
  exchange varchar(8) NOT NULL,
  PRIMARY KEY (ticker, exchange),
  CONSTRAINT instruments_ticker_format CHECK (ticker REGEXP '^[A-Z]+$')
) ENGINE=InnoDB;

CREATE TABLE `trade-log` (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id int NOT NULL,
  ticker varchar(12) NOT NULL,
  exchange varchar(8) NOT NULL,
  side ENUM('buy', 'sell') NOT NULL,
  status varchar(10) NOT NULL DEFAULT 'open',
  qty int NOT NULL,
  price decimal(10,2) NOT NULL,
  `Order Date` date NOT NULL COMMENT 'Trade date',
  note text,
  ticker_lower varchar(12) AS (lower(ticker)) VIRTUAL,
  CONSTRAINT trade_log_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE,
  CONSTRAINT trade_log_instrument_fkey FOREIGN KEY (ticker, exchange) REFERENCES instruments (ticker, exchange) ON DELETE CASCADE ON UPDATE RESTRICT,
  CONSTRAINT trade_log_qty_positive CHECK (qty > 0),
  CONSTRAINT trade_log_price_range CHECK (price BETWEEN 0 AND 1000000),
  CONSTRAINT trade_log_status_in CHECK (status IN ('open', 'filled', 'cancelled'))
) ENGINE=InnoDB;

CREATE INDEX trade_log_lower_ticker_idx ON `trade-log` (ticker_lower);

CREATE VIEW open_trades AS SELECT id, account_id, ticker, qty FROM `trade-log` WHERE status = 'open';
