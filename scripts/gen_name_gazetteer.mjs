// Builds data/detectors/names/{given,surname}.txt from two MIT-licensed npm
// packages: the per-locale first/last name lists of @faker-js/faker, and the
// people-name list of @cspell/dict-people-names (names without a first/last
// distinction: those that are not faker given names go to surname.txt, which
// the expander only reports inside a name of two or more words). Run through
// gen_name_gazetteer.sh, which fetches the pinned versions; this file only
// reads them.
//
//   node scripts/gen_name_gazetteer.mjs <faker-package-dir> <cspell-package-dir> <out-dir>
//
// Only Latin-script locales are used: the analyzer matches dictionary entries
// as \b<literal>\b, and CRM data in scope is mostly European. Entries are kept
// when they look like one name token: a capital letter first, then letters,
// with at most inner hyphens, apostrophes or single spaces (e.g. "De Luca").
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [pkgDir, cspellDir, outDir] = process.argv.slice(2);
if (!pkgDir || !cspellDir || !outDir) {
  console.error('usage: gen_name_gazetteer.mjs <faker-package-dir> <cspell-package-dir> <out-dir>');
  process.exit(2);
}
const { allLocales } = await import(pathToFileURL(resolve(pkgDir, 'dist/index.js')).href);

// Locales whose person names are written in Latin script.
const LOCALES = [
  'af_ZA', 'cs_CZ', 'da', 'de', 'de_AT', 'de_CH', 'en', 'en_AU', 'en_GH', 'en_IN',
  'en_NG', 'en_ZA', 'eo', 'es', 'es_MX', 'fi', 'fr', 'fr_BE', 'fr_CH', 'fr_SN',
  'hr', 'hu', 'id_ID', 'it', 'ku_kmr_latin', 'lv', 'nb_NO', 'nl', 'nl_BE', 'pl',
  'pt_BR', 'pt_PT', 'ro', 'ro_MD', 'sk', 'sl_SI', 'sr_RS_latin', 'sv', 'tr',
  'uz_UZ_latin', 'yo_NG', 'zu_ZA',
];

// A name token: upper-case letter, then letters; inner ' - or one space.
const TOKEN = /^\p{Lu}[\p{L}\p{M}]*(?:[-' ’][\p{L}\p{M}]+)*$/u;

function collect(node, out) {
  if (Array.isArray(node)) {
    for (const v of node) if (typeof v === 'string') out.add(v.normalize('NFC').trim());
  } else if (node && typeof node === 'object') {
    for (const v of Object.values(node)) collect(v, out);
  }
}

const given = new Set();
const surname = new Set();
for (const loc of LOCALES) {
  const person = allLocales[loc]?.person;
  if (!person) throw new Error(`faker locale ${loc} has no person data`);
  collect(person.first_name, given);
  collect(person.middle_name, given);
  collect(person.last_name, surname);
}

// cspell list: one name per line, '#' comments.
for (const line of readFileSync(join(cspellDir, 'dict', 'people-names.txt'), 'utf8').split('\n')) {
  const name = line.normalize('NFC').trim();
  if (name && !name.startsWith('#') && !given.has(name)) surname.add(name);
}

function clean(set) {
  return [...set]
    .filter((s) => s.length >= 2 && s.length <= 40 && TOKEN.test(s))
    .filter((s) => !/\p{Lu}{2,}/u.test(s.replace(/^(?:Mc|Mac|O'|D')/u, ''))) // no acronyms
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const g = clean(given);
const s = clean(surname);
writeFileSync(join(outDir, 'given.txt'), g.join('\n') + '\n');
writeFileSync(join(outDir, 'surname.txt'), s.join('\n') + '\n');
console.log(`given: ${g.length}, surname: ${s.length}`);
