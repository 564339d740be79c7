/**
 * Experiment only: makes every `ws` client in the process offer no permessage-deflate, to measure what compressing
 * each small Pulsar frame costs. Preload it before anything imports `ws`:
 *   node --import ./bench/no-deflate.mjs ...   (or NODE_OPTIONS=--import=/abs/path/bench/no-deflate.mjs)
 * The client offers the extension under PerMessageDeflate.extensionName; renamed, the broker does not recognize
 * the offer and the connection runs uncompressed.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';

const require = createRequire(join(process.cwd(), 'package.json'));
const PerMessageDeflate = require(join(dirname(require.resolve('ws')), 'lib', 'permessage-deflate.js'));
Object.defineProperty(PerMessageDeflate, 'extensionName', { get: () => 'x-addispay-no-deflate' });
