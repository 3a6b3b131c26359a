// Placeholder: demo accounts are being written.
export type DemoAccount = { role: string; email: string; password: string };
export async function seedDemo(): Promise<DemoAccount[]> {
  return [];
}
