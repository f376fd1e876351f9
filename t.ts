import { readFileSync } from 'node:fs';
import { readAvroContainer } from './src/iceberg/avro/avro-container.js';
for (const f of process.argv.slice(2)) {
  const c = readAvroContainer(readFileSync(f), f);
  console.log(f, c.codec, Object.keys(c.meta), JSON.stringify(c.schema).slice(0, 3000));
  console.log(c.records[0]);
}
