import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/projectRoot';

/**
 * `npm run train:shapes -- --quick` end to end (one epoch on small sets, two processes, then the
 * report): proves the pipeline that rebuilds the shipped models still runs and writes complete
 * bundles. The shipped models' quality is checked in shapesModels.test.ts.
 */
describe('npm run train:shapes', () => {
  it('rebuilds all three bundles, their model cards and the report (--quick)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'qdgs-train-'));
    try {
      const result = spawnSync(process.execPath, [path.join(projectRoot(), 'dist', 'src', 'models', 'shapes', 'trainShapes.js'), '--quick', '--out', out], { encoding: 'utf8', timeout: 300_000 });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
      expect(result.stdout).toMatch(/generator epoch 1\/1/);
      expect(result.stdout).toMatch(/scorer epoch 1\/1/);
      expect(result.stdout).toMatch(/oracle epoch 1\/1/);
      for (const file of [
        'generator/model.onnx', 'generator/generator.json', 'generator/model-card.md', 'generator/training.json',
        'scorer/onnx/text_model.onnx', 'scorer/onnx/vision_model.onnx', 'scorer/tokenizer.json', 'scorer/tokenizer_config.json', 'scorer/preprocessor_config.json', 'scorer/config.json', 'scorer/model-card.md',
        'oracle/model.onnx', 'oracle/classifier.json', 'oracle/model-card.md',
        'REPORT.md', 'samples.png',
      ]) {
        expect({ file, exists: fs.existsSync(path.join(out, file)) }).toEqual({ file, exists: true });
      }
      for (const model of ['generator', 'scorer', 'oracle']) {
        const record = JSON.parse(fs.readFileSync(path.join(out, model, 'training.json'), 'utf8'));
        expect(record.exportParity.maxAbsDiff).toBeLessThan(1e-5);
      }
      expect(fs.readFileSync(path.join(out, 'REPORT.md'), 'utf8')).toMatch(/npm run train:shapes` in total/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
