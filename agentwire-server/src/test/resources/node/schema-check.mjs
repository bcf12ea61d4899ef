// Runs the dashboard's schema.js on cases read as JSON from stdin ([{schema, value}]) and prints, as one JSON
// line, each case's errors ([{path, message}]). argv[2]: the path of schema.js.
import { pathToFileURL } from 'node:url';

const { validate, skeleton } = await import(pathToFileURL(process.argv[2]).href);
let input = '';
for await (const chunk of process.stdin) input += chunk;
const cases = JSON.parse(input);
process.stdout.write(JSON.stringify(cases.map((c) => (c.skeleton ? skeleton(c.schema) : validate(c.schema, c.value)))) + '\n');
