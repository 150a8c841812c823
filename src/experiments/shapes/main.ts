import '../../server/productionMode';
import 'reflect-metadata';
import { EXPERIMENT_USAGE, parseExperimentOptions } from './experimentOptions';
import { REPORT_FILE, rewriteReport, runShapesExperiment } from './shapesExperiment';

// npm run experiment:shapes [-- --help]
async function main(): Promise<void> {
  const { options, resume, reportOnly, help } = parseExperimentOptions(process.argv.slice(2));
  if (help) {
    console.log(EXPERIMENT_USAGE);
    return;
  }
  if (reportOnly) {
    rewriteReport(options.outDir);
    console.log(`report: ${options.outDir}/${REPORT_FILE}`);
    return;
  }
  const results = await runShapesExperiment(options, { resume, log: (line) => console.error(line) });
  console.log(`${results.trials.length} trials in ${(results.seconds / 60).toFixed(1)} min; report: ${options.outDir}/${REPORT_FILE}`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
