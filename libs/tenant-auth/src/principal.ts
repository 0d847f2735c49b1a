/** Who is calling: resolved from the API key, never from anything the caller claims in the body. */
export interface Principal {
  tenantId: string;
  tier: 'paid' | 'free';
  apiKeyId: string;
}

export interface TenantRecord {
  id: string;
  tier: 'paid' | 'free';
  active: boolean;
}
