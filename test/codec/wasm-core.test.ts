import { expect } from 'chai';
import { loadWasmCore } from '../../src/codec/wasm-core.ts';

describe('wasm core loader', () => {
  it('instantiates the embedded module once and moves bytes in and out of its memory', async () => {
    const core = await loadWasmCore();
    expect(await loadWasmCore()).to.equal(core);
    const data = new Uint8Array([1, 2, 3, 250]);
    const ptr = core.copyIn(data);
    expect(ptr).to.be.greaterThan(0);
    expect(Array.from(core.copyOut(ptr, 4))).to.deep.equal([1, 2, 3, 250]);
    core.exports.dealloc(ptr);
  });
});
