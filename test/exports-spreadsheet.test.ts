import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DateTime } from 'luxon';
import { Role } from '../src/auth/roles';
import { complaintInput, FILE_COMPLAINT } from './support/factories';
import { startTestApp, TestApp, textBody } from './support/harness';
import { SPEC_CSV_HEADER } from './support/spec-csv';

/**
 * Issue 11's acceptance, "the CSV opens in a spreadsheet with real dates and the day's
 * cases", checked with a real LibreOffice Calc: the export, as GET returns it, converted
 * by `soffice --headless` to flat ODS, whose cells say whether Calc read a date.
 * Runs only where soffice is installed (`apt-get install libreoffice-calc-nogui`).
 */
const SOFFICE = process.env.SOFFICE_PATH ?? whichSoffice();
const ZONE = 'Europe/Berlin';
const TENANT = 'spreadsheet-gmbh';
const TIME_COLUMNS = ['received_at', 'acknowledged_at', 'resolved_at', 'closed_at', 'next_due_at'];

function whichSoffice(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v soffice'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

if (!SOFFICE)
  console.log('test/exports-spreadsheet.test.ts skipped: soffice is not installed (apt-get install --no-install-recommends libreoffice-calc-nogui)');
const describeWithCalc = SOFFICE ? describe : describe.skip;

interface Cell {
  type: string | null;
  date: string | null;
  value: string | null;
  text: string;
}

/** The cells of the first sheet of a flat ODS file, row by row (repeated cells expanded). */
function sheetCells(fods: string): Cell[][] {
  const table = fods.slice(fods.indexOf('<table:table '), fods.indexOf('</table:table>'));
  const rows = table.split('<table:table-row').slice(1);
  return rows.map((row) => {
    const cells: Cell[] = [];
    for (const m of row.matchAll(/<table:table-cell([^>]*?)(?:\/>|>([\s\S]*?)<\/table:table-cell>)/g)) {
      const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(m[1])?.[1] ?? null;
      const text = [...(m[2] ?? '').matchAll(/<text:p>([\s\S]*?)<\/text:p>/g)].map((p) => p[1]).join('\n');
      const cell = { type: attr('office:value-type'), date: attr('office:date-value'), value: attr('office:value'), text };
      for (let i = 0; i < Number(attr('table:number-columns-repeated') ?? 1); i++) cells.push(cell);
    }
    return cells;
  });
}

describeWithCalc('the CSV export opened in LibreOffice Calc', () => {
  let t: TestApp;
  let work: string;
  let compliance: string;
  const filed: Record<'yesterdayEvening' | 'now', { id: string; reference: string }> = {} as never;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'calc-'));
    t = await startTestApp();
    const claims = { tid: TENANT, tz: ZONE };
    const dpo = await t.token(Role.DPO, claims);
    compliance = await t.token(Role.COMPLIANCE_OFFICER, claims);
    const file = async (receivedAt?: string) => {
      const res = await t.gql(dpo, FILE_COMPLAINT, { input: complaintInput(receivedAt ? { receivedAt } : {}) });
      expect(res.errors).toBeUndefined();
      return res.data.fileComplaint as { id: string; reference: string };
    };
    // 23:30 in Berlin the day before today there: another day in the tenant's zone, the same in UTC for part of the year.
    const evening = DateTime.now().setZone(ZONE).minus({ days: 1 }).set({ hour: 23, minute: 30, second: 0, millisecond: 0 });
    filed.yesterdayEvening = await file(evening.toUTC().toISO()!);
    filed.now = await file();
    const ack = await t.gql(dpo, 'mutation($id: ID!) { acknowledgeComplaint(id: $id) { id } }', { id: filed.now.id });
    expect(ack.errors).toBeUndefined();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** GET /reports/complaints.csv as a browser saves it, opened by Calc, as the cells Calc made. */
  async function openedInCalc(query: Record<string, string>): Promise<{ csv: string; cells: Cell[][] }> {
    const res = await t.http().get('/reports/complaints.csv').query(query).set('authorization', `Bearer ${compliance}`).buffer(true).parse(textBody);
    expect(res.status).toBe(200);
    const csvFile = path.join(work, `report-${Date.now()}.csv`);
    writeFileSync(csvFile, res.body as string);
    // Calc's Text Import with UTF-8, comma, double quote, and "Detect special numbers" ticked:
    // without it Calc 7.4 reads only decimal numbers and ISO 8601 with a "T" as values.
    await promisify(execFile)(
      SOFFICE!,
      [
        `-env:UserInstallation=file://${path.join(work, 'profile')}`,
        '--headless',
        '--infilter=Text - txt - csv (StarCalc):44,34,76,1,,0,false,true',
        '--convert-to',
        'fods',
        '--outdir',
        work,
        csvFile,
      ],
      { timeout: 170_000 },
    );
    return { csv: res.body as string, cells: sheetCells(readFileSync(csvFile.replace(/\.csv$/, '.fods'), 'utf8')) };
  }

  test("times are dates in the tenant's zone, days are numbers, and to=<today> holds today's cases", async () => {
    const today = DateTime.now().setZone(ZONE).toISODate()!;
    const yesterday = DateTime.now().setZone(ZONE).minus({ days: 1 }).toISODate()!;
    const { cells } = await openedInCalc({ from: yesterday, to: today });
    const [header, ...rows] = cells.filter((r) => r.some((c) => c.type !== null));
    expect(header.slice(0, SPEC_CSV_HEADER.length).map((c) => c.text)).toEqual(SPEC_CSV_HEADER);
    const column = (row: Cell[], name: string) => row[SPEC_CSV_HEADER.indexOf(name)];
    const rowOf = (reference: string) => rows.find((r) => r[0].text === reference);

    // The day's cases, the one filed a moment ago included: the window's last day is whole.
    expect(rows.map((r) => r[0].text)).toEqual([filed.yesterdayEvening.reference, filed.now.reference]);

    for (const { id, reference } of Object.values(filed)) {
      const row = rowOf(reference)!;
      const [stored] = await t.sql('SELECT received_at, acknowledged_at, resolved_at, closed_at, next_due_at FROM complaints WHERE id = $1', [id]);
      for (const name of TIME_COLUMNS) {
        const instant = stored[name] as Date | null;
        const cell = column(row, name);
        if (instant === null) {
          expect({ name, type: cell.type }).toEqual({ name, type: null });
          continue;
        }
        // A date value (what ISNUMBER sees as a number), at the wall-clock time in Berlin, to the second.
        const local = DateTime.fromJSDate(instant).setZone(ZONE).startOf('second').toFormat("yyyy-MM-dd'T'HH:mm:ss");
        expect({ name, type: cell.type, date: cell.date }).toEqual({ name, type: 'date', date: local });
      }
    }
    const evening = column(rowOf(filed.yesterdayEvening.reference)!, 'received_at');
    expect(evening.date).toBe(`${yesterday}T23:30:00`);
    const ack = column(rowOf(filed.now.reference)!, 'days_to_acknowledge');
    expect(ack.type).toBe('float');
    expect(Number(ack.value)).toBeGreaterThanOrEqual(0);
  }, 240_000);
});
