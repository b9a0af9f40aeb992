import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { splitFenceStderr } from '../../src/sandbox/stderrSplitter';

async function split(chunks: (string | Buffer)[]): Promise<{ out: Buffer; fence: string[] }> {
  const input = new PassThrough();
  const output = new PassThrough();
  const parts: Buffer[] = [];
  output.on('data', (d: Buffer) => parts.push(d));
  const fence: string[] = [];
  const done = splitFenceStderr(input, output, (l) => fence.push(l));
  for (const c of chunks) input.write(typeof c === 'string' ? Buffer.from(c) : c);
  input.end();
  await done;
  return { out: Buffer.concat(parts), fence };
}

describe('splitFenceStderr', () => {
  it('takes Fence\'s lines out and passes the command\'s bytes through exactly, even split mid-line', async () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x0a]);
    const { out, fence } = await split(['hello\n[fence:ht', 'tp] 10:00:00 ✗ GET     403 a.b http://a.b/ (0s)\nprompt> ', binary, 'tail without newline']);
    assert.deepEqual(fence, ['[fence:http] 10:00:00 ✗ GET     403 a.b http://a.b/ (0s)']);
    assert.deepEqual(out, Buffer.concat([Buffer.from('hello\nprompt> '), binary, Buffer.from('tail without newline')]));
  });
  it('passes a prompt that is not a Fence line at once, without waiting for its newline', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let seen = '';
    output.on('data', (d: Buffer) => (seen += d.toString()));
    const done = splitFenceStderr(input, output, () => undefined);
    input.write('Password: ');
    await new Promise((r) => setImmediate(r));
    assert.equal(seen, 'Password: ');
    input.end();
    await done;
  });
  it('keeps UTF-8 in Fence lines intact', async () => {
    const { fence } = await split([Buffer.from('[fence:socks] 10:00:00 ✗ CONNECT bücher.example:443 BLOCKED\n')]);
    assert.deepEqual(fence, ['[fence:socks] 10:00:00 ✗ CONNECT bücher.example:443 BLOCKED']);
  });
});
