# Images for test/image.test.mjs, made with PIL (python3-pil) into the directory given, with what
# PIL and torchvision make of them:
#   <name>.png / .jpg     the files; <name>.rgba  PIL's decoding, convert('RGBA'), raw bytes
#   tv-<img>-<size>.npy   torchvision Resize(round(size*256/224)) + CenterCrop(size) + ToTensor + Normalize, NCHW
#   crop-<img>-<size>.npy the same without ToTensor / Normalize (uint8 values as float32, HWC)
#   full-<img>-<h>x<w>.npy PIL resize((w, h), BILINEAR) (uint8 values as float32, HWC)
#   python3 make_images.py DIR
import json, sys
import numpy as np
from PIL import Image
from torchvision import transforms as T

out = sys.argv[1]
rng = np.random.default_rng(7)

def photo(h, w):
    # edges, gradients, high-frequency texture and noise: what stresses a resampler
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = (x * 255 / w + 40 * np.sin(y / 5)) % 256
    g = 128 + 100 * np.sin(x / 3.1) * np.cos(y / 7.3)
    b = np.where(((x // 16) + (y // 16)) % 2 == 0, 230, 20) + rng.normal(0, 12, (h, w))
    return np.clip(np.stack([r, g, b], -1), 0, 255).astype(np.uint8)

wide = Image.fromarray(photo(301, 457))
tall = Image.fromarray(photo(383, 250))
files = {}
def save(name, im, ext, **kw):
    im.save(f'{out}/{name}.{ext}', **kw)
    back = Image.open(f'{out}/{name}.{ext}')
    back.load()
    np.asarray(back.convert('RGBA')).tofile(f'{out}/{name}.rgba')
    files[name] = {'file': f'{name}.{ext}', 'width': back.width, 'height': back.height, 'mode': back.mode}

save('rgb', wide, 'png')
save('tall', tall, 'png')
save('rgb-jpeg', wide, 'jpg', quality=90, subsampling=0)
save('rgb-jpeg-420', wide, 'jpg', quality=90, subsampling=2)
save('gray-jpeg', wide.convert('L'), 'jpg', quality=85)
save('gray', wide.convert('L'), 'png')
la = wide.convert('LA'); la.putalpha(Image.fromarray(photo(301, 457)[..., 1])); save('gray-alpha', la, 'png')
rgba = wide.convert('RGBA'); rgba.putalpha(Image.fromarray(photo(301, 457)[..., 0])); save('rgba', rgba, 'png')
save('palette', wide.quantize(colors=200), 'png')
pt = wide.quantize(colors=16); pt.info['transparency'] = 3; save('palette-4bit-trns', pt, 'png', bits=4)
save('bilevel', wide.convert('1'), 'png')

tv = {}
for name, im in [('rgb', wide), ('tall', tall)]:
    for size in (224, 64, 299):
        short = round(size * 256 / 224)
        crop = T.Compose([T.Resize(short), T.CenterCrop(size)])(im.convert('RGB'))
        np.save(f'{out}/crop-{name}-{size}.npy', np.asarray(crop).astype(np.float32))
        t = T.Compose([T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])(crop)
        np.save(f'{out}/tv-{name}-{size}.npy', t.unsqueeze(0).numpy().astype(np.float32))
    for h, w in ((224, 224), (64, 96)):
        np.save(f'{out}/full-{name}-{h}x{w}.npy', np.asarray(im.convert('RGB').resize((w, h), Image.BILINEAR)).astype(np.float32))
json.dump(files, open(f'{out}/files.json', 'w'))
