import { colourBlendShare } from '../../src/models/shapes/evaluation';
import { generateShapes, toNchw } from '../../src/models/shapes/shapesData';

describe('colourBlendShare', () => {
  it('finds no blends in real images and every image whose shape is the mean of red and blue', () => {
    const size = 32;
    const count = 40;
    const real = toNchw(generateShapes({ count, size, beta: 0.5, seed: 5 }).images, count, size);
    expect(colourBlendShare(real, count, size)).toBe(0);
    const purple = new Float32Array(real.length).fill(1);
    const plane = size * size;
    for (let i = 0; i < count; i++) {
      for (let p = 100; p < 400; p++) {
        purple[i * 3 * plane + p] = (216 + 30) / 2 / 255;
        purple[i * 3 * plane + plane + p] = (27 + 136) / 2 / 255;
        purple[i * 3 * plane + 2 * plane + p] = (96 + 229) / 2 / 255;
      }
    }
    expect(colourBlendShare(purple, count, size)).toBe(1);
  });
});
