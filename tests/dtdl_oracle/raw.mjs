import fs from 'fs'
import { getInterop } from '@digicatapult/dtdl-parser'
const p = await getInterop()
const cases = JSON.parse(fs.readFileSync(0, 'utf-8'))
for (const [n, docs] of cases) {
  try { p.parse(JSON.stringify(docs)); console.log(n, 'valid') } catch (e) {
    const err = JSON.parse(e.message)
    console.log(n, JSON.stringify((err.Errors||[]).map(x => [x.ValidationID.split(':').pop(), x.PrimaryID, x.Property, x.Value])))
  }
}
