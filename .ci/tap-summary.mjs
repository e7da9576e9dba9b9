// A tap stream reporter: passes the raw TAP through and ends with the plain line
// "N passed, N failed" that CI reads (tap's own summary is not recognised there).
// Counts the tests inside each test file; a file that fails without a failing test
// (a crash, a timeout) counts as one failure.
import { Transform } from 'node:stream';
import { Parser } from 'tap-parser';

export default class TapSummary extends Transform {
  constructor() {
    super();
    this.passed = 0;
    this.failed = 0;
    this.parser = new Parser();
    this.parser.on('child', (file) => {
      file.on('complete', (results) => {
        this.passed += results.pass;
        this.failed += results.fail;
        if (!results.ok && results.fail === 0) this.failed += 1;
      });
    });
  }

  _transform(chunk, encoding, callback) {
    this.parser.write(chunk);
    callback(null, chunk);
  }

  _flush(callback) {
    this.parser.end();
    callback(null, `\n${this.passed} passed, ${this.failed} failed\n`);
  }
}
