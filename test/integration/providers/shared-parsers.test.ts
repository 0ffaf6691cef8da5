import { GatewayError } from '../../../functions/core/errors';
import { buildConverseInput } from '../../../functions/providers/bedrock/request';
import { parseDataUrl } from '../../../functions/core/model/data-url';
import { parseToolArguments } from '../../../functions/providers/shared/tool-arguments';
import { chatCall } from '../../helpers/providers/bedrock/bedrock-test-kit';
import { body as anthropicBody } from '../../helpers/providers/anthropic/request-helpers';

describe('the shared data-URL parser', () => {
  it.each([
    ['data:image/png;base64,iVBOR', { mediaType: 'image/png', base64: 'iVBOR' }],
    ['data:image/jpeg;name=cat.jpg;base64,/9j/', { mediaType: 'image/jpeg', base64: '/9j/' }],
    ['data:application/pdf;base64,JVBER\ni0x', { mediaType: 'application/pdf', base64: 'JVBER\ni0x' }],
  ])('reads %s', (url, expected) => {
    expect(parseDataUrl(url)).toEqual(expected);
  });

  it.each(['https://example.com/cat.png', 'data:text/plain,hello', 'data:;base64,AAAA'])('leaves %s to the caller', (url) => {
    expect(parseDataUrl(url)).toBeUndefined();
  });

  it('reads a data URL with parameters the same way through Anthropic and Bedrock (they had drifted)', () => {
    const url = 'data:image/png;name=chart.png;base64,iVBORw0KGgo=';
    const messages = [{ role: 'user' as const, content: [{ type: 'image_url' as const, image_url: { url } }] }];
    const anthropic = (anthropicBody({ messages }).messages as Array<{ content: Array<{ source: unknown }> }>)[0]?.content[0]?.source;
    const bedrock = buildConverseInput(chatCall({ messages }), { type: 'bedrock' }).input.messages?.[0]?.content?.[0];

    expect(anthropic).toEqual({ type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' });
    expect(bedrock).toMatchObject({ image: { format: 'png' } });
  });
});

describe('the shared tool-argument parser', () => {
  it('reads a JSON object, and an empty string as no arguments', () => {
    expect(parseToolArguments('{"city":"Paris","days":3}', 'p')).toEqual({ city: 'Paris', days: 3 });
    expect(parseToolArguments('  ', 'p')).toEqual({});
  });

  it.each(['[1,2]', '"text"', 'null', '{"unterminated":'])('answers 400 naming the parameter for %s', (args) => {
    const error = (() => {
      try {
        parseToolArguments(args, 'messages[1].tool_calls[0].function.arguments');
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 400, param: 'messages[1].tool_calls[0].function.arguments' });
  });
});

describe('the shared table of unsupported parameters', () => {
  const errorOf = (build: () => unknown): unknown => {
    try {
      build();
    } catch (thrown) {
      return thrown;
    }
    throw new Error('expected an error');
  };

  it.each([
    ['logprobs', { logprobs: true }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['prediction', { prediction: { type: 'content', content: 'x' } }],
  ])('answers %s with one error text and code on Anthropic, Gemini and Bedrock', async (param, extra) => {
    const { buildGeminiRequest } = await import('../../../functions/providers/gemini/request');
    const { chatCall: geminiCall, callContext } = await import('../../helpers/providers/gemini/harness');
    const errors = [
      errorOf(() => anthropicBody(extra)),
      errorOf(() => buildGeminiRequest(geminiCall(extra), callContext('http://127.0.0.1:9'))),
      errorOf(() => buildConverseInput(chatCall(extra), { type: 'bedrock' })),
    ] as GatewayError[];

    for (const [index, provider] of ['Anthropic models', 'Gemini models', 'Bedrock'].entries()) {
      expect(errors[index]).toMatchObject({
        status: 400,
        param,
        code: 'unsupported_parameter',
        message: `The parameter '${param}' is not supported by ${provider}. Remove it, or set dropUnsupportedParams on the provider to ignore it.`,
      });
    }
  });
});
