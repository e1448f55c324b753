/** The page shell shared by productpage's pages: head, navigation bar with sign-in/sign-out. */
import { escapeHtml } from './escape.js';

export function layout(opts: { user: string | null; main: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Simple Bookstore App</title>
  <link rel="stylesheet" href="static/bookinfo.css">
</head>
<body class="bg-gray-50">
  <nav class="bg-gray-800">
    <div class="mx-auto max-w-7xl px-4 flex h-16 items-center justify-between">
      <a href="productpage" class="text-lg font-semibold text-white">BookInfo Sample</a>
${opts.user === null ? signIn() : signedIn(opts.user)}
    </div>
  </nav>
  <main class="mx-auto max-w-7xl px-4 py-8">
${opts.main}
  </main>
</body>
</html>
`;
}

function signedIn(user: string): string {
  return `      <div class="flex items-center gap-x-4">
        <p class="text-base font-medium text-gray-50">${escapeHtml(user)}</p>
        <a href="logout" class="rounded-md bg-gray-700 px-3 py-2 text-sm font-medium text-white">Sign out</a>
      </div>`;
}

function signIn(): string {
  return [
    '      <button type="button" class="rounded-md bg-gray-700 px-3 py-2 text-sm font-medium text-white"' +
      ` onclick="document.getElementById('login-dialog').showModal()">Sign in</button>`,
    '      <dialog id="login-dialog" class="rounded-lg p-6">',
    '        <form method="post" action="login" class="flex flex-col gap-y-3">',
    '          <label class="text-sm font-medium text-gray-900">User Name' +
      ' <input type="text" name="username" class="block rounded-md border px-2 py-1"></label>',
    '          <label class="text-sm font-medium text-gray-900">Password' +
      ' <input type="password" name="passwd" class="block rounded-md border px-2 py-1"></label>',
    '          <div class="flex gap-x-3">',
    '            <button type="submit" class="rounded-md bg-blue-600 px-3 py-2 text-sm font-medium text-white">' +
      'Sign in</button>',
    '            <button type="button" class="rounded-md px-3 py-2 text-sm"' +
      ` onclick="this.closest('dialog').close()">Cancel</button>`,
    '          </div>',
    '        </form>',
    '      </dialog>',
  ].join('\n');
}
