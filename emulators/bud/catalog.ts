import { randomUUID } from 'node:crypto';
import { now, type Row } from './state';

/** Seed data: model providers, the cloud-model catalogue and a small Hugging Face hub. */

export const MODEL_PROVIDER_TYPES = ['cloud_model', 'hugging_face', 'url', 'disk'] as const;
export const MODALITIES = ['text_input', 'text_output', 'image_input', 'image_output', 'audio_input', 'audio_output'] as const;
export const ADD_MODEL_MODALITIES = ['llm', 'mllm', 'image', 'embedding', 'text_to_speech', 'speech_to_text', 'audio_llm', 'omni'] as const;

const PROVIDERS: [string, string, string, string[]][] = [
  ['OpenAI', 'openai', 'GPT models served by OpenAI', ['model', 'moderation']],
  ['Anthropic', 'anthropic', 'Claude models served by Anthropic', ['model']],
  ['Azure OpenAI', 'azure-openai', 'OpenAI models hosted on Azure', ['model']],
  ['Together AI', 'together-ai', 'Open models served by Together AI', ['model']],
  ['Hugging Face', 'huggingface', 'Models from the Hugging Face hub', ['model']],
];

const CLOUD_MODELS: [string, string, string[], string[]][] = [
  ['openai', 'gpt-4o', ['text_input', 'image_input', 'text_output'], ['/v1/chat/completions']],
  ['openai', 'gpt-4o-mini', ['text_input', 'image_input', 'text_output'], ['/v1/chat/completions']],
  ['openai', 'text-embedding-3-small', ['text_input'], ['/v1/embeddings']],
  ['anthropic', 'claude-3-5-sonnet-20241022', ['text_input', 'image_input', 'text_output'], ['/v1/chat/completions']],
  ['together-ai', 'meta-llama/Llama-3.3-70B-Instruct-Turbo', ['text_input', 'text_output'], ['/v1/chat/completions']],
];

export interface HubRepo {
  uri: string;
  architecture: string;
  parameters: number;
  size_bytes: number;
  tasks: string[];
  gated: boolean;
  modality: string[];
}

/** What the emulated Hugging Face hub knows; any other repository answers like a hub 404. */
export const HUB: HubRepo[] = [
  { uri: 'prajjwal1/bert-tiny', architecture: 'BertModel', parameters: 4_385_920, size_bytes: 17_756_393, tasks: ['feature-extraction'], gated: false, modality: ['text_input'] },
  { uri: 'openai-community/gpt2', architecture: 'GPT2LMHeadModel', parameters: 124_439_808, size_bytes: 548_105_171, tasks: ['text-generation'], gated: false, modality: ['text_input', 'text_output'] },
  { uri: 'sentence-transformers/all-MiniLM-L6-v2', architecture: 'BertModel', parameters: 22_713_216, size_bytes: 90_868_376, tasks: ['sentence-similarity'], gated: false, modality: ['text_input'] },
  { uri: 'TinyLlama/TinyLlama-1.1B-Chat-v1.0', architecture: 'LlamaForCausalLM', parameters: 1_100_048_384, size_bytes: 2_200_119_864, tasks: ['text-generation'], gated: false, modality: ['text_input', 'text_output'] },
  { uri: 'Qwen/Qwen2.5-0.5B-Instruct', architecture: 'Qwen2ForCausalLM', parameters: 494_032_768, size_bytes: 988_097_824, tasks: ['text-generation'], gated: false, modality: ['text_input', 'text_output'] },
  { uri: 'meta-llama/Llama-2-7b-chat-hf', architecture: 'LlamaForCausalLM', parameters: 6_738_415_616, size_bytes: 13_476_839_424, tasks: ['text-generation'], gated: true, modality: ['text_input', 'text_output'] },
];

export function seedProviders(): Row[] {
  return PROVIDERS.map(([name, type, description, capabilities]) => ({
    id: randomUUID(), name, type, description, icon: `icons/providers/${type}.png`, capabilities,
  }));
}

export function seedCloudModels(providers: Row[]): Row[] {
  return CLOUD_MODELS.map(([type, uri, modality, endpoints]) => {
    const provider = providers.find((p) => p.type === type)!;
    return {
      id: randomUUID(), name: uri, uri, modality, source: type, provider_type: 'cloud_model', provider_id: provider.id,
      supported_endpoints: endpoints, is_present_in_model: false, created_at: now(), modified_at: now(),
    };
  });
}
