// Runs the official DTDL parser (DTDLParser, WASM build from npm @digicatapult/dtdl-parser) over
// a batch of model sets and prints one JSON verdict per set.
//
// stdin:  {"cases": [{"id": "x", "docs": [<Interface or array>...], "repo": "dir",
//                     "maxDtdlVersion": 3, "extensions": "disallow"}]}
// stdout: {"parser": "...", "results": [{"id": "x", "valid": bool, "kind": "Parsing" |
//          "Resolution" | null, "ids": [ValidationID...], "unresolved": [DTMI...],
//          "unsupported": "why" (only when an option cannot be given to this build)}]}
//
// The WASM build parses with the official default options only (MaxDtdlVersion 4, undefined
// extensions disallowed): a case asking for another max version or for undefined extensions to
// be allowed is answered "unsupported", never guessed. A "repo" folder (laid out by DTMI, as
// twinbench --repo) plays the resolver: the DTMIs the parser reports undefined are read from it
// and the set is parsed again, as the official parser does with a DtmiResolver.
import fs from 'fs'
import path from 'path'
import { getInterop } from '@digicatapult/dtdl-parser'

const PREFIX = 'dtmi:dtdl:parsingError:'

const modelPath = (repo, dtmi) => {
  const base = dtmi.split('#')[0].toLowerCase()
  const [name, version] = base.split(';')
  const parts = name.split(':')
  const file = `${parts.pop()}-${version}.json`
  return path.join(repo, ...parts, file)
}

const readRepo = (repo, dtmis) => {
  const out = []
  for (const d of dtmis) {
    let p
    try {
      p = modelPath(repo, d)
    } catch {
      continue
    }
    if (!fs.existsSync(p)) continue
    try {
      const doc = JSON.parse(fs.readFileSync(p, 'utf-8').replace(/^\uFEFF/, ''))
      out.push(...(Array.isArray(doc) ? doc : [doc]))
    } catch {
      // unreadable JSON in the repository stays unresolved
    }
  }
  return out
}

const run = (parser, c) => {
  if ((c.maxDtdlVersion ?? 4) !== 4) {
    return { id: c.id, unsupported: 'this parser build takes no MaxDtdlVersion option' }
  }
  if ((c.extensions ?? 'disallow') !== 'disallow') {
    return { id: c.id, unsupported: 'this parser build takes no AllowUndefinedExtensions option' }
  }
  const docs = []
  for (const d of c.docs) docs.push(...(Array.isArray(d) ? d : [d]))
  const asked = new Set()
  for (;;) {
    let err
    try {
      parser.parse(JSON.stringify(docs))
      return { id: c.id, valid: true, kind: null, ids: [], unresolved: [] }
    } catch (e) {
      try {
        err = JSON.parse(e.message)
      } catch {
        return { id: c.id, unsupported: `the parser failed: ${String(e.message).slice(0, 200)}` }
      }
    }
    if (err.ExceptionKind === 'Parsing') {
      const ids = [...new Set(err.Errors.map((x) => x.ValidationID.replace(PREFIX, '')))].sort()
      return { id: c.id, valid: false, kind: 'Parsing', ids, unresolved: [] }
    }
    const missing = err.UndefinedIdentifiers.filter((d) => !asked.has(d))
    missing.forEach((d) => asked.add(d))
    const found = c.repo && missing.length ? readRepo(c.repo, missing) : []
    if (!found.length) {
      return { id: c.id, valid: false, kind: 'Resolution', ids: [], unresolved: err.UndefinedIdentifiers }
    }
    docs.push(...found)
  }
}

const input = JSON.parse(fs.readFileSync(0, 'utf-8'))
const parser = await getInterop()
const results = input.cases.map((c) => run(parser, c))
process.stdout.write(JSON.stringify({ parser: parser.parserVersion(), results }) + '\n')
