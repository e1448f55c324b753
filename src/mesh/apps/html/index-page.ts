/** productpage's `/` page: what the app is and which services it calls (not exposed by the gateway). */
import { escapeHtml } from './escape.js';
import { layout } from './layout.js';

export interface ServiceNode {
  name: string;
  endpoint: string;
  children?: ServiceNode[];
}

export function renderIndexPage(tree: ServiceNode): string {
  const main = [
    '    <h1 class="text-3xl font-bold text-gray-900">' +
      'Hello! This is a simple bookstore application consisting of four services</h1>',
    '    <p class="mt-2 text-lg text-gray-600">' +
      "Each page shows one book's details and reviews; reviews come in three versions.</p>",
    '    <div class="mt-6 flex gap-x-4">',
    '      <a href="productpage?u=normal" class="rounded-md bg-blue-600 px-3 py-2 text-sm font-medium text-white">' +
      'Normal user</a>',
    '      <a href="productpage?u=test" class="rounded-md bg-gray-700 px-3 py-2 text-sm font-medium text-white">' +
      'Test user</a>',
    '    </div>',
    '    <h2 class="mt-8 text-2xl font-semibold text-gray-900">Microservices</h2>',
    '    <ul class="mt-2 font-mono text-gray-700">',
    node(tree, 3),
    '    </ul>',
  ].join('\n');
  return layout({ user: null, main });
}

function node(n: ServiceNode, depth: number): string {
  const pad = '  '.repeat(depth);
  const kids = n.children?.length
    ? `\n${pad}  <ul class="ml-6">\n${n.children.map((c) => node(c, depth + 2)).join('\n')}\n${pad}  </ul>\n${pad}`
    : '';
  return `${pad}<li>${escapeHtml(n.name)} <span class="text-gray-500">${escapeHtml(n.endpoint)}</span>${kids}</li>`;
}
