// Builds data/detectors/names/{given,surname,common}.txt from three
// MIT-licensed npm packages and the Debian word lists:
//   - the per-locale first/last name lists of @faker-js/faker;
//   - the people-name list of @cspell/dict-people-names, and
//   - the ~200,000 names of `humannames` (both without a first/last
//     distinction: those that are not faker given names go to surname.txt,
//     which the expander only reports inside a name of two or more words or
//     after a cue). humannames also holds plain words ("The", "Street",
//     "Union"): an entry is dropped when one of the word lists (EN, DE, FR,
//     ES, IT, NL) has it in lower case, i.e. it is a common word, or the
//     German list has it at all (German nouns are capitalised);
//   - common.txt: the English word list's lower-case-only words (a word the
//     dictionary lists only in lower case is a common word, not a name); the
//     expander uses it to judge a capitalised word that is in no name list.
// Run through gen_name_gazetteer.sh, which fetches the pinned versions; this
// file only reads them.
//
//   node scripts/gen_name_gazetteer.mjs <faker-package-dir> <cspell-package-dir> \
//        <humannames-package-dir> <dict-dir> <out-dir>
//
// Only Latin-script locales are used: the analyzer matches dictionary entries
// as \b<literal>\b, and CRM data in scope is mostly European. Entries are kept
// when they look like one name token: a capital letter first, then letters,
// with at most inner hyphens, apostrophes or single spaces (e.g. "De Luca").
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [pkgDir, cspellDir, humanDir, dictDir, outDir] = process.argv.slice(2);
if (!pkgDir || !cspellDir || !humanDir || !dictDir || !outDir) {
  console.error(
    'usage: gen_name_gazetteer.mjs <faker-package-dir> <cspell-package-dir> ' +
      '<humannames-package-dir> <dict-dir> <out-dir>',
  );
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

const fakerSurname = new Set(surname);


// Debian word lists (wamerican, wngerman, wfrench, wspanish, witalian, wdutch):
// every entry written in lower case is a common word in that language.
const DICTS = ['american-english', 'ngerman', 'french', 'spanish', 'italian', 'dutch'];
const lowerWords = new Set();
const englishLower = [];
const englishProper = [];
for (const name of DICTS) {
  const words = readFileSync(join(dictDir, name), 'utf8').split('\n');
  for (const raw of words) {
    const w = raw.normalize('NFC').trim();
    if (name === 'american-english' && /^[A-Z][a-z]+$/.test(w)) englishProper.push(w);
    // German nouns are written with a capital: a capitalised German entry
    // ("Sohn", "Vertrag") is a common word too.
    if (name === 'ngerman' && /^\p{Lu}\p{Ll}+$/u.test(w)) lowerWords.add(w.toLowerCase());
    if (!w || w !== w.toLowerCase() || w.includes("'")) continue;
    lowerWords.add(w);
    if (name === 'american-english' && /^[a-z]{3,}$/.test(w)) englishLower.push(w);
  }
}

// cspell list: one name per line, '#' comments. It also holds plain words
// ("Purchase", "Board", "Legge"): dropped like humannames' below.
let cspellDropped = 0;
for (const line of readFileSync(join(cspellDir, 'dict', 'people-names.txt'), 'utf8').split('\n')) {
  const name = line.normalize('NFC').trim();
  if (!name || name.startsWith('#') || given.has(name) || surname.has(name)) continue;
  if (lowerWords.has(name.toLowerCase())) {
    cspellDropped += 1;
    continue;
  }
  surname.add(name);
}

// humannames: one name a line (CRLF). Plain words are dropped (see above).
let humanAdded = 0;
for (const line of readFileSync(join(humanDir, 'list.txt'), 'utf8').split('\n')) {
  const name = line.normalize('NFC').trim();
  if (name.length < 3 || given.has(name) || surname.has(name)) continue;
  if (lowerWords.has(name.toLowerCase())) continue;
  surname.add(name);
  humanAdded += 1;
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
// common.txt keeps common words that are also names ("singer", "wisdom"):
// the expander asks it only about words in no name list, or about a lone
// surname, which must not be a common word.
const common = [...new Set(englishLower)].sort();
writeFileSync(join(outDir, 'common.txt'), common.join('\n') + '\n');
// proper.txt: capitalised-only English entries (places, nationalities,
// brands, famous people) that are neither faker given names nor faker
// surnames; a lone surname that is one of them is not reported ("Sweden",
// "Czech", "Messina").
const givenSet = new Set(g);
const proper = [...new Set(englishProper)]
  .filter((w) => !givenSet.has(w) && !fakerSurname.has(w))
  .sort();
writeFileSync(join(outDir, 'proper.txt'), proper.join('\n') + '\n');
console.log(
  `given: ${g.length}, surname: ${s.length} (humannames: +${humanAdded}, ` +
    `cspell common words dropped: ${cspellDropped}), ` +
    `common: ${common.length}, proper: ${proper.length}`,
);
