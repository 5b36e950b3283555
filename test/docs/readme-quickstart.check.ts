// The README quickstart, compiled by `npm run typecheck`; test/docs/readme-quickstart.test.ts keeps the two identical.
import { fromFile, serveDashboard, toWebSocket } from '../../src/index.js';
import { sampleDetectors, verdict } from '../../operators/index.js';
import { merge, share } from 'rxjs';

const alerts$ = fromFile('run.jsonl', { follow: true }).pipe(sampleDetectors({ maxLength: 1024 }), share());
const verdicts$ = alerts$.pipe(verdict());
verdicts$.subscribe((v) => { console.log(v.status, v.reasons[0]?.message); }); // healthy | warning | hacking | collapse
const dashboard = await serveDashboard({ port: 7777 });                    // 127.0.0.1 unless told otherwise
merge(alerts$, verdicts$).pipe(toWebSocket(dashboard, { channel: 'run-a' })).subscribe();
