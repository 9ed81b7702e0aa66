/** The last `size` ids used, oldest first: `touch` returns the ids it pushed out. */
export class RecentIds {
  private readonly ids: string[] = [];

  constructor(private readonly size: number) {}

  touch(id: string): string[] {
    this.forget(id);
    this.ids.push(id);
    return this.ids.splice(0, Math.max(0, this.ids.length - this.size));
  }

  forget(id: string): void {
    const at = this.ids.indexOf(id);
    if (at >= 0) this.ids.splice(at, 1);
  }

  has(id: string): boolean {
    return this.ids.includes(id);
  }
}
