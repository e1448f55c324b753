/**
 * The handful of utility classes the stand-in's pages use, so a person opening the rehearsal
 * mesh in a browser sees a readable page. Not Tailwind: only what these templates need.
 */
export const STYLESHEET = [
  '*{box-sizing:border-box}body{margin:0;font-family:system-ui,sans-serif;line-height:1.5}',
  '.bg-gray-50{background:#f9fafb}.bg-gray-800{background:#1f2937}.bg-gray-700{background:#374151}' +
    '.bg-blue-600{background:#2563eb}',
  '.mx-auto{margin-left:auto;margin-right:auto}.max-w-7xl{max-width:80rem}' +
    '.px-4{padding-left:1rem;padding-right:1rem}',
  '.px-3{padding-left:.75rem;padding-right:.75rem}.px-2{padding-left:.5rem;padding-right:.5rem}' +
    '.py-8{padding-top:2rem;padding-bottom:2rem}',
  '.py-2{padding-top:.5rem;padding-bottom:.5rem}.py-1{padding-top:.25rem;padding-bottom:.25rem}' +
    '.p-6{padding:1.5rem}.pl-4{padding-left:1rem}.pr-4{padding-right:1rem}',
  '.flex{display:flex}.flex-col{flex-direction:column}.inline{display:inline}.block{display:block}' +
    '.grid{display:grid}.grid-cols-1{grid-template-columns:1fr}',
  '@media(min-width:768px){.md\\:grid-cols-2{grid-template-columns:1fr 1fr}}',
  '.h-16{height:4rem}.h-5{height:1.25rem}.w-5{width:1.25rem}.w-full{width:100%}.flex-none{flex:none}',
  '.items-center{align-items:center}.justify-between{justify-content:space-between}',
  '.gap-x-1{column-gap:.25rem}.gap-x-3{column-gap:.75rem}.gap-x-4{column-gap:1rem}.gap-y-3{row-gap:.75rem}' +
    '.gap-8{gap:2rem}',
  '.mt-0\\.5{margin-top:.125rem}.mt-1{margin-top:.25rem}.mt-2{margin-top:.5rem}.mt-4{margin-top:1rem}' +
    '.mt-6{margin-top:1.5rem}.mt-8{margin-top:2rem}.mb-8{margin-bottom:2rem}.ml-6{margin-left:1.5rem}',
  '.text-sm{font-size:.875rem}.text-base{font-size:1rem}.text-lg{font-size:1.125rem}.text-2xl{font-size:1.5rem}' +
    '.text-3xl{font-size:1.875rem}',
  '.font-medium{font-weight:500}.font-semibold{font-weight:600}.font-bold{font-weight:700}' +
    '.font-mono{font-family:ui-monospace,monospace}.text-left{text-align:left}',
  '.text-white{color:#fff}.text-gray-50{color:#f9fafb}.text-gray-500{color:#6b7280}.text-gray-600{color:#4b5563}' +
    '.text-gray-700{color:#374151}.text-gray-900{color:#111827}',
  '.text-red-500{color:#ef4444}.text-black-500{color:#000}',
  '.rounded-md{border-radius:.375rem}.rounded-lg{border-radius:.5rem}.border{border:1px solid #d1d5db}' +
    '.border-l-4{border-left:4px solid}.border-gray-300{border-color:#d1d5db}',
  'a{text-decoration:none}button{border:0;cursor:pointer}',
  '',
].join('\n');
