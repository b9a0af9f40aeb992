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

describe('splitFenceStderr after a partial line of the command', () => {
  const ebpf = '[fence:ebpf] 10:00:00 ✗ open: Read-only file system (install, pid=42)';
  it('takes out a Fence line that follows the command\'s unfinished line, in one chunk or split', async () => {
    for (const chunks of [
      [`install: ${ebpf}\ncannot create regular file\n`],
      ['install: ', `${ebpf}\n`, 'cannot create regular file\n'],
      ['install: [fen', `ce:ebpf]${ebpf.slice('[fence:ebpf]'.length)}\ncannot create`, ' regular file\n'],
    ]) {
      const { out, fence } = await split(chunks);
      assert.equal(out.toString(), 'install: cannot create regular file\n', JSON.stringify(chunks));
      assert.deepEqual(fence, [ebpf]);
    }
  });
  it('keeps the command\'s bytes exact around it, and a bracket that is not Fence\'s', async () => {
    const binary = Buffer.from([0xff, 0x5b, 0xfe]); // 0x5b is '['
    const { out, fence } = await split([Buffer.concat([Buffer.from('a [b] '), binary]), `${ebpf}\n`, '[fenced] text\n', 'x [fence']);
    assert.deepEqual(out, Buffer.concat([Buffer.from('a [b] '), binary, Buffer.from('[fenced] text\nx [fence')]));
    assert.deepEqual(fence, [ebpf]);
  });
});
