/** Development entry point (`node --import tsx src/cli/run.ts …`); the installed binary is bin/networkml.js. */
import { main } from './main.js';

process.exitCode = await main(process.argv);
