/**
 * The demo's sample trading database: a SQLite file with `instruments`, `trades` and `positions`, constraints
 * declared in the DDL (NOT NULL, CHECK, FOREIGN KEY, PRIMARY KEY, UNIQUE), generated from a seed so every run gives
 * the same file, and a few deliberately bad rows that validation must find. The bad rows get in the way real bad
 * data does in SQLite: CHECKs switched off for a bulk import (`PRAGMA ignore_check_constraints`) and foreign keys not
 * enforced (SQLite's default, `PRAGMA foreign_keys = OFF`).
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { FloeError } from '../errors.js';

/** Options of {@link createTradingDatabase}. */
export interface TradingDatabaseOptions {
  /** Trades to generate (default 10,000; at least 10). */
  rows?: number;
  /** Seed of the generator (default 42). */
  seed?: number;
  /** Replace an existing file (default false: an existing file is INVALID_ARGUMENT). */
  overwrite?: boolean;
}

/** A planted bad row: where it is and the declared constraint it breaks. */
export interface PlantedRow {
  table: 'instruments' | 'trades' | 'positions';
  /** The row's primary key. */
  key: Record<string, string | number>;
  /**
   * The name of the quality rule derived from the broken constraint: the CHECK's name, or for the foreign key the
   * name SQLite's introspection gives it (`<table>_<columns>_fkey`: SQLite does not keep foreign key names).
   */
  rule: string;
  column: string;
  value: string | number | null;
}

/** What {@link createTradingDatabase} wrote. */
export interface TradingDatabase {
  path: string;
  url: string;
  rows: { instruments: number; trades: number; positions: number };
  planted: PlantedRow[];
}

/** The DDL. Constraint names are stable: they name the quality rules validation derives from them. */
export const TRADING_DDL = `
CREATE TABLE instruments (
  instrument_id INTEGER PRIMARY KEY,
  ticker TEXT NOT NULL CONSTRAINT instruments_ticker_key UNIQUE,
  name TEXT NOT NULL,
  asset_class TEXT NOT NULL CONSTRAINT instruments_asset_class_check CHECK (asset_class IN ('equity', 'etf')),
  exchange TEXT NOT NULL CONSTRAINT instruments_exchange_check CHECK (exchange IN ('XNAS', 'XNYS', 'ARCX')),
  currency TEXT NOT NULL DEFAULT 'USD',
  lot_size INTEGER NOT NULL CONSTRAINT instruments_lot_size_positive CHECK (lot_size > 0),
  listed_on DATE NOT NULL
);
CREATE TABLE trades (
  trade_id INTEGER PRIMARY KEY,
  instrument_id INTEGER NOT NULL,
  ticker TEXT CONSTRAINT trades_ticker_required CHECK (ticker IS NOT NULL),
  account_id TEXT NOT NULL,
  side TEXT NOT NULL CONSTRAINT trades_side_check CHECK (side IN ('buy', 'sell')),
  quantity NUMERIC(18,4) NOT NULL CONSTRAINT trades_quantity_positive CHECK (quantity > 0),
  price NUMERIC(18,4) NOT NULL CONSTRAINT trades_price_positive CHECK (price > 0),
  executed_at TIMESTAMP NOT NULL,
  settled_on DATE,
  venue TEXT,
  CONSTRAINT trades_instrument_fkey FOREIGN KEY (instrument_id) REFERENCES instruments (instrument_id)
);
CREATE INDEX trades_executed_at_idx ON trades (executed_at);
CREATE TABLE positions (
  account_id TEXT NOT NULL,
  instrument_id INTEGER NOT NULL,
  as_of DATE NOT NULL,
  quantity NUMERIC(18,4) NOT NULL,
  avg_cost NUMERIC(18,4) NOT NULL CONSTRAINT positions_avg_cost_nonnegative CHECK (avg_cost >= 0),
  market_value NUMERIC(18,2),
  PRIMARY KEY (account_id, instrument_id, as_of),
  CONSTRAINT positions_instrument_fkey FOREIGN KEY (instrument_id) REFERENCES instruments (instrument_id)
);
`;

// [ticker, name, asset class, exchange, reference price]
const INSTRUMENTS: Array<[string, string, 'equity' | 'etf', 'XNAS' | 'XNYS' | 'ARCX', number]> = [
  ['AAPL', 'Apple Inc.', 'equity', 'XNAS', 228.5], ['MSFT', 'Microsoft Corp.', 'equity', 'XNAS', 415.2],
  ['NVDA', 'NVIDIA Corp.', 'equity', 'XNAS', 131.4], ['AMZN', 'Amazon.com Inc.', 'equity', 'XNAS', 186.9],
  ['GOOGL', 'Alphabet Inc. Class A', 'equity', 'XNAS', 165.3], ['META', 'Meta Platforms Inc.', 'equity', 'XNAS', 562.1],
  ['TSLA', 'Tesla Inc.', 'equity', 'XNAS', 251.7], ['AVGO', 'Broadcom Inc.', 'equity', 'XNAS', 172.6],
  ['JPM', 'JPMorgan Chase & Co.', 'equity', 'XNYS', 212.4], ['V', 'Visa Inc. Class A', 'equity', 'XNYS', 279.8],
  ['XOM', 'Exxon Mobil Corp.', 'equity', 'XNYS', 118.2], ['JNJ', 'Johnson & Johnson', 'equity', 'XNYS', 158.9],
  ['WMT', 'Walmart Inc.', 'equity', 'XNYS', 80.1], ['PG', 'Procter & Gamble Co.', 'equity', 'XNYS', 169.4],
  ['KO', 'Coca-Cola Co.', 'equity', 'XNYS', 70.2], ['DIS', 'Walt Disney Co.', 'equity', 'XNYS', 95.6],
  ['BAC', 'Bank of America Corp.', 'equity', 'XNYS', 40.3], ['BRK.B', 'Berkshire Hathaway Inc. Class B', 'equity', 'XNYS', 459.7],
  ['SPY', 'SPDR S&P 500 ETF Trust', 'etf', 'ARCX', 571.3], ['QQQ', 'Invesco QQQ Trust', 'etf', 'XNAS', 487.9],
  ['IWM', 'iShares Russell 2000 ETF', 'etf', 'ARCX', 219.6], ['GLD', 'SPDR Gold Shares', 'etf', 'ARCX', 245.1],
  ['TLT', 'iShares 20+ Year Treasury Bond ETF', 'etf', 'XNAS', 97.4], ['VTI', 'Vanguard Total Stock Market ETF', 'etf', 'ARCX', 283.5],
];

/** The instrument id no instrument has, used by the planted orphan trade. */
export const UNKNOWN_INSTRUMENT_ID = 9999;

/** mulberry32: a small, well-mixed 32-bit PRNG, so the file is the same for a seed on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const isoTimestamp = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** Adds `days` business days (Monday to Friday) to a UTC midnight. */
function addBusinessDays(ms: number, days: number): number {
  let out = ms;
  for (let left = days; left > 0;) {
    out += 86_400_000;
    const wd = new Date(out).getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return out;
}

/**
 * Writes the sample trading database to `path` (a SQLite file; written to a temporary name and renamed, so a
 * failure leaves nothing behind) and returns its row counts and the planted bad rows: a trade with a negative
 * quantity, a trade of an unknown instrument, a trade without a ticker, a position with a negative average cost.
 */
export async function createTradingDatabase(path: string, opts: TradingDatabaseOptions = {}): Promise<TradingDatabase> {
  const rows = opts.rows ?? 10_000;
  if (!Number.isInteger(rows) || rows < 10) throw new FloeError('INVALID_ARGUMENT', `rows must be an integer >= 10, got ${rows}`);
  if (existsSync(path) && opts.overwrite !== true) {
    throw new FloeError('INVALID_ARGUMENT', `${path} exists (pass overwrite to replace it)`, { context: { path } });
  }
  const random = prng(opts.seed ?? 42);
  const Database = (await import('better-sqlite3')).default;
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  const db = new Database(tmp);
  try {
    db.exec(TRADING_DDL);
    // better-sqlite3 turns foreign keys on; the import that let the orphan trade in ran without them (SQLite's own
    // default), and the setting cannot change inside the transaction.
    db.pragma('foreign_keys = OFF');
    const insertInstrument = db.prepare('INSERT INTO instruments VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const insertTrade = db.prepare('INSERT INTO trades VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const insertPosition = db.prepare('INSERT INTO positions VALUES (?, ?, ?, ?, ?, ?)');
    const accounts = Array.from({ length: 40 }, (_, i) => `ACC-${String(1001 + i)}`);
    const venues = ['XNAS', 'XNYS', 'ARCX', 'BATS', 'IEXG', null];
    const prices = INSTRUMENTS.map((i) => i[4]);
    // Planted rows sit at fixed fractions of the trade ids, so they are spread over the table for any size.
    const negativeQty = Math.floor(rows * 0.25) + 1;
    const orphan = Math.floor(rows * 0.5) + 1;
    const nullTicker = Math.floor(rows * 0.75) + 1;
    const planted: PlantedRow[] = [];
    type Book = { qty: number; cost: number; last: number };
    const books = new Map<string, Book>();

    db.transaction(() => {
      INSTRUMENTS.forEach(([ticker, name, assetClass, exchange], i) => {
        const listed = Date.UTC(1980 + Math.floor(random() * 40), Math.floor(random() * 12), 1 + Math.floor(random() * 28));
        insertInstrument.run(i + 1, ticker, name, assetClass, exchange, 'USD', assetClass === 'etf' ? 1 : 100, isoDate(listed));
      });
      let t = Date.UTC(2026, 0, 5, 14, 30, 0); // 09:30 New York on a Monday
      for (let id = 1; id <= rows; id++) {
        t += 1000 + Math.floor(random() * 9000);
        // After 16:00 New York (21:00 UTC) skip to the next business day's open.
        if (new Date(t).getUTCHours() >= 21) {
          const day = Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth(), new Date(t).getUTCDate());
          t = addBusinessDays(day, 1) + (14 * 60 + 30) * 60_000;
        }
        const k = Math.floor(random() * INSTRUMENTS.length);
        prices[k] = Math.max(1, prices[k] * (1 + (random() - 0.5) * 0.004));
        const price = round(prices[k], 4);
        const side = random() < 0.55 ? 'buy' : 'sell';
        const quantity = (1 + Math.floor(random() * 20)) * (random() < 0.2 ? 100 : 5);
        const account = accounts[Math.floor(random() * accounts.length)];
        const day = Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth(), new Date(t).getUTCDate());
        const venue = venues[Math.floor(random() * venues.length)];
        let instrumentId = k + 1;
        let ticker: string | null = INSTRUMENTS[k][0];
        let qty = quantity;
        if (id === negativeQty) {
          qty = -quantity;
          planted.push({ table: 'trades', key: { trade_id: id }, rule: 'trades_quantity_positive', column: 'quantity', value: qty });
        } else if (id === orphan) {
          instrumentId = UNKNOWN_INSTRUMENT_ID;
          ticker = 'ZZZZ';
          planted.push({ table: 'trades', key: { trade_id: id }, rule: 'trades_instrument_id_fkey', column: 'instrument_id', value: instrumentId });
        } else if (id === nullTicker) {
          ticker = null;
          planted.push({ table: 'trades', key: { trade_id: id }, rule: 'trades_ticker_required', column: 'ticker', value: null });
        }
        const bad = id === negativeQty || id === orphan || id === nullTicker;
        // The import that let bad rows in: CHECKs off for that statement only.
        if (bad) db.pragma('ignore_check_constraints = ON');
        insertTrade.run(id, instrumentId, ticker, account, side, qty, price, isoTimestamp(t), isoDate(addBusinessDays(day, 1)), venue);
        if (bad) {
          db.pragma('ignore_check_constraints = OFF');
          continue;
        }
        const key = `${account}\u0000${instrumentId}`;
        const book = books.get(key) ?? { qty: 0, cost: 0, last: day };
        if (side === 'buy') {
          book.cost = (book.cost * Math.max(book.qty, 0) + price * quantity) / (Math.max(book.qty, 0) + quantity);
          book.qty += quantity;
        } else {
          book.qty -= quantity;
        }
        book.last = Math.max(book.last, day);
        books.set(key, book);
      }
      let p = 0;
      const badPosition = Math.floor(books.size / 2);
      for (const [key, book] of [...books].sort(([a], [b]) => a.localeCompare(b))) {
        const [account, instrument] = key.split('\u0000');
        const instrumentId = Number(instrument);
        let avgCost = round(book.cost, 4);
        if (p === badPosition) {
          avgCost = -avgCost;
          planted.push({
            table: 'positions', key: { account_id: account, instrument_id: instrumentId, as_of: isoDate(book.last) },
            rule: 'positions_avg_cost_nonnegative', column: 'avg_cost', value: avgCost,
          });
          db.pragma('ignore_check_constraints = ON');
        }
        insertPosition.run(account, instrumentId, isoDate(book.last), book.qty, avgCost, round(book.qty * prices[instrumentId - 1], 2));
        if (p === badPosition) db.pragma('ignore_check_constraints = OFF');
        p++;
      }
    })();
    const count = (table: string): number => Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
    const out = { instruments: count('instruments'), trades: count('trades'), positions: count('positions') };
    db.close();
    if (opts.overwrite === true) rmSync(path, { force: true });
    renameSync(tmp, path);
    return { path, url: `sqlite:${path}`, rows: out, planted };
  } catch (err) {
    if (db.open) db.close();
    rmSync(tmp, { force: true });
    throw err;
  }
}
